// Telegram Bot API delivery (sendMessage). The bot token is part of the URL path, so every error
// text is scrubbed of it before it can reach a log or a stored run.

import { request } from 'undici';

export class NotifyError extends Error {
  constructor(message: string, readonly code: 'telegram_error' | 'rate_limited' | 'network' | 'timeout' | 'openalgo_error') {
    super(message);
    this.name = 'NotifyError';
  }
}

export interface TelegramBotOptions {
  token: string;
  chatId: string;
  apiBase: string;
  /** Per-attempt timeout (ms). */
  timeoutMs?: number;
  /** Retries after a 429 (honouring retry_after). */
  maxRetries?: number;
  /** The longest retry_after (s) worth waiting for; a longer one gives up. */
  maxRetryAfterSeconds?: number;
}

const MAX_MESSAGE = 4096;

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('canceled'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('canceled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Sends one message through the Bot API; resolves with Telegram's message id. */
export async function sendTelegramMessage(text: string, opts: TelegramBotOptions, signal: AbortSignal): Promise<{ messageId?: number; attempts: number }> {
  const scrub = (s: string) => (opts.token ? s.split(opts.token).join('[redacted]') : s);
  const url = `${opts.apiBase.replace(/\/+$/, '')}/bot${opts.token}/sendMessage`;
  const body = JSON.stringify({ chat_id: opts.chatId, text: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text });
  const maxRetries = opts.maxRetries ?? 2;
  for (let attempt = 1; ; attempt++) {
    let status: number;
    let answer: { ok?: boolean; description?: string; result?: { message_id?: number }; parameters?: { retry_after?: number } };
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs ?? 10_000)]),
      });
      status = res.statusCode;
      const raw = await res.body.text();
      try {
        answer = JSON.parse(raw);
      } catch {
        answer = { ok: false, description: raw.slice(0, 200) };
      }
    } catch (e) {
      if (signal.aborted) throw e;
      const err = e as Error & { code?: string };
      const timedOut = err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT';
      throw new NotifyError(scrub(`Telegram ${timedOut ? 'did not answer in time' : `unreachable: ${err.code ?? err.message}`}`), timedOut ? 'timeout' : 'network');
    }
    if (status >= 200 && status < 300 && answer.ok !== false) return { messageId: answer.result?.message_id, attempts: attempt };
    if (status === 429) {
      const after = Number(answer.parameters?.retry_after ?? 1);
      if (attempt > maxRetries || !(after <= (opts.maxRetryAfterSeconds ?? 30))) {
        throw new NotifyError(scrub(`Telegram rate limit: retry after ${after} s (gave up after ${attempt} attempt(s))`), 'rate_limited');
      }
      await wait(Math.max(0, after) * 1000, signal);
      continue;
    }
    throw new NotifyError(scrub(`Telegram answered ${status}: ${answer.description ?? 'no description'}`), 'telegram_error');
  }
}
