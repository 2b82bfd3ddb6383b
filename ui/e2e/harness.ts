// A Flow server started the way `npm start` starts it (bin/flow.js serve, temp data dir, port 0)
// and a headless Chromium page pointed at it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.FLOW_CHROMIUM ?? '/usr/bin/chromium';
export const RESULTS = path.resolve('test-results');

export interface Server {
  url: string;
  token: string;
  dataDir: string;
  api<T = unknown>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startServer(): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-e2e-'));
  const token = `e2e-${Math.random().toString(36).slice(2)}`;
  const child: ChildProcess = spawn(process.execPath, ['bin/flow.js', 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, FLOW_API_TOKEN: token, FLOW_LOG_LEVEL: 'warn', FLOW_BROKER: 'paper', FLOW_PAPER_ALWAYS_OPEN: '1', OPENALGO_HOST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 30_000);
    const onData = (b: Buffer) => {
      output += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
  const api = async <T,>(method: string, u: string, body?: unknown) => {
    const res = await fetch(`${url}${u}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    url, token, dataDir, api,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A page of the UI, signed in with the server's API token. */
export async function signIn(browser: Browser, server: Server, viewport = { width: 1440, height: 860 }): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('browser error:', e.message));
  await page.goto(server.url);
  await page.fill('input[name=token]', server.token);
  await page.click('button[type=submit]');
  await page.waitForSelector('text=Workflows');
  return page;
}

/** Writes a screenshot to test-results/, and the README's copy to docs/screenshots/ when FLOW_UPDATE_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string, forReadme = false): Promise<string> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.png`);
  // Notices fade on their own; keep them out of the picture.
  const style = await page.addStyleTag({ content: '.toasts { display: none !important; }' });
  await page.screenshot({ path: file });
  await style.evaluate((el) => (el as HTMLElement).remove());
  if (forReadme && process.env.FLOW_UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync('docs/screenshots', { recursive: true });
    fs.copyFileSync(file, path.join('docs/screenshots', `${name}.png`));
  }
  return file;
}

/**
 * What keeps a canvas's nodes from being clicked: every node that overlaps the zoom buttons or the
 * minimap, lies outside the canvas, or is not the element found at its own centre. Empty when all is well.
 */
export async function blockedNodes(page: Page, canvas: string, opts: { inViewOnly?: boolean } = {}): Promise<string[]> {
  return page.locator(canvas).evaluate((root, inViewOnly) => {
    const box = (el: Element) => el.getBoundingClientRect();
    const hit = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const view = box(root);
    const overlays = [...root.querySelectorAll('.react-flow__controls, .react-flow__minimap, .legend')].map((el) => ({ name: el.className.toString().split(' ')[0], r: box(el) }));
    const out: string[] = [];
    const nodes = [...root.querySelectorAll('.react-flow__node')];
    if (!nodes.length) out.push('no nodes drawn');
    for (const n of nodes) {
      const id = n.getAttribute('data-id');
      const r = box(n);
      const cx = r.left + r.width / 2;
      const cy = r.top + r.height / 2;
      // A graph that scrolls: only the nodes whose centre is in view now.
      if (inViewOnly && (cx < view.left || cx > view.right || cy < view.top || cy > view.bottom)) continue;
      for (const o of overlays) if (hit(r, o.r)) out.push(`${id} under ${o.name}`);
      if (!inViewOnly && (r.left < view.left || r.top < view.top || r.right > view.right || r.bottom > view.bottom)) out.push(`${id} outside the canvas`);
      const at = document.elementFromPoint(cx, cy);
      if (!at || !n.contains(at)) out.push(`${id} covered at its centre by ${at?.className.toString() ?? 'nothing'}`);
    }
    return out;
  }, opts.inViewOnly ?? false);
}
