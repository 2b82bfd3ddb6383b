// The Notifier nodes use for alerts: Telegram through OpenAlgo (for an OpenAlgo login) or a bot
// token and chat id; anything else is recorded in the run without being delivered.

import type { Broker } from '../broker/types.js';
import type { Notification, Notifier } from '../nodes/types.js';
import { NotifyError, sendTelegramMessage } from './telegram.js';

export { NotifyError } from './telegram.js';

export interface Delivery {
  delivered: boolean;
  via: string;
  detail?: string;
}

export interface NotifierOptions {
  broker: Broker;
  /** OpenAlgo login to notify when a node names no username (OPENALGO_USERNAME). */
  openalgoUsername?: string;
  telegramBotToken?: string;
  telegramChatId?: string;
  telegramApiBase?: string;
  /** Sees every notification and how it went (for the run record); must not throw. */
  record?: (n: Notification & Delivery) => void;
  /** Per-attempt timeout of a Bot API call (ms). */
  telegramTimeoutMs?: number;
}

export function createNotifier(opts: NotifierOptions): Notifier {
  const apiBase = opts.telegramApiBase ?? 'https://api.telegram.org';
  const done = (n: Notification, d: Delivery): Delivery => {
    opts.record?.({ ...n, ...d });
    return d;
  };

  async function telegram(n: Notification, signal: AbortSignal): Promise<Delivery> {
    const username = n.username?.trim() || opts.openalgoUsername?.trim();
    if (opts.broker.kind === 'openalgo' && username) {
      const answer = await opts.broker.telegram({ username, message: n.message }, { signal });
      if (answer.status !== 'success') throw new NotifyError(`OpenAlgo could not send to ${username}: ${answer.message ?? 'no reason given'}`, 'openalgo_error');
      return { delivered: true, via: 'openalgo' };
    }
    if (opts.telegramBotToken && opts.telegramChatId) {
      const sent = await sendTelegramMessage(
        n.message,
        { token: opts.telegramBotToken, chatId: opts.telegramChatId, apiBase, timeoutMs: opts.telegramTimeoutMs },
        signal,
      );
      return { delivered: true, via: 'telegram', ...(sent.attempts > 1 ? { detail: `sent on attempt ${sent.attempts}` } : {}) };
    }
    return { delivered: false, via: 'recorded', detail: 'no Telegram channel configured (set OPENALGO_USERNAME or the node username with the OpenAlgo broker, or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID)' };
  }

  /** As OpenAlgo's execute_whatsapp_alert: through OpenAlgo's WhatsApp bot, to `to` or the paired device itself. */
  async function whatsapp(n: Notification, signal: AbortSignal): Promise<Delivery> {
    if (opts.broker.kind !== 'openalgo') return { delivered: false, via: 'recorded', detail: 'no whatsapp channel configured (the OpenAlgo broker sends it)' };
    const to = n.to?.trim();
    const answer = await opts.broker.whatsapp({ message: n.message, ...(to ? { phone: to } : { self: true }) }, { signal });
    if (answer.status !== 'success') throw new NotifyError(`OpenAlgo could not send the WhatsApp message: ${answer.message ?? 'no reason given'}`, 'openalgo_error');
    return { delivered: true, via: 'openalgo' };
  }

  return {
    async send(n, signal) {
      if (n.channel === 'telegram' || n.channel === 'whatsapp') {
        try {
          return done(n, await (n.channel === 'telegram' ? telegram(n, signal) : whatsapp(n, signal)));
        } catch (e) {
          opts.record?.({ ...n, delivered: false, via: 'failed', detail: (e as Error).message });
          throw e;
        }
      }
      return done(n, { delivered: false, via: 'recorded', detail: n.channel === 'log' ? undefined : `no ${n.channel} channel configured` });
    },
  };
}
