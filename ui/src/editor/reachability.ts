// Can TradingView reach the webhook URL Flow hands out? Its servers post from the internet, over
// http(s) on ports 80 and 443 only; a loopback, unspecified or private address never receives them.

export interface Reachability {
  /** Why TradingView cannot post here; empty when it can. */
  problems: string[];
  host: string;
}

function privateIPv4(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a === 127 || a === 0 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
    || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

function privateHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal') || !h.includes('.') && !h.includes(':')) return true;
  if (h.includes(':')) return h === '::' || h === '::1' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || /^::ffff:/.test(h) && privateIPv4(h.slice(7));
  return privateIPv4(h);
}

export function reachability(url: string): Reachability {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { host: url, problems: [`“${url}” is not a URL TradingView can post to`] };
  }
  const problems: string[] = [];
  if (privateHost(u.hostname)) problems.push(`${u.hostname} is this machine or your private network: TradingView's servers cannot reach it`);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  if (port !== '80' && port !== '443') problems.push(`TradingView posts only to ports 80 and 443, not ${port}`);
  if (u.protocol !== 'https:' && !problems.length) problems.push('the alert travels unencrypted (http): use https so the secret is not readable on the way');
  return { host: u.hostname, problems };
}
