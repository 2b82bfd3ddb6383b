import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../../src/notify/index.js';
import { guardedLookup } from '../../src/nodes/netguard.js';
import { defaultRegistry } from '../../src/nodes/registry.js';
import { runNode, stubBroker } from './context.js';

const TOKEN = '123456:SECRET-bot-token';

/** A fake Telegram Bot API: answers from a script of [status, body] per request. */
let server: Server;
let base: string;
let script: Array<[number, unknown]> = [];
let received: Array<{ url: string; body: Record<string, unknown>; at: number }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(raw || '{}'), at: Date.now() });
      const [status, body] = script.shift() ?? [200, { ok: true, result: { message_id: 1 } }];
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  script = [];
  received = [];
});

const signal = () => new AbortController().signal;

describe('notifier', () => {
  it('sends through the bot API with the chat id', async () => {
    const recorded: unknown[] = [];
    const notifier = createNotifier({ broker: stubBroker(), telegramBotToken: TOKEN, telegramChatId: '42', telegramApiBase: base, record: (n) => recorded.push(n) });
    const sent = await notifier.send({ channel: 'telegram', message: 'Order placed' }, signal());
    expect(sent).toEqual({ delivered: true, via: 'telegram' });
    expect(received).toEqual([{ url: `/bot${TOKEN}/sendMessage`, body: { chat_id: '42', text: 'Order placed' }, at: expect.any(Number) }]);
    expect(recorded).toEqual([{ channel: 'telegram', message: 'Order placed', delivered: true, via: 'telegram' }]);
  });

  it("honours a 429's retry_after and then delivers", async () => {
    script = [[429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }]];
    const notifier = createNotifier({ broker: stubBroker(), telegramBotToken: TOKEN, telegramChatId: '42', telegramApiBase: base });
    const sent = await notifier.send({ channel: 'telegram', message: 'x' }, signal());
    expect(sent).toMatchObject({ delivered: true, via: 'telegram', detail: 'sent on attempt 2' });
    expect(received).toHaveLength(2);
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(950);
  });

  it('gives up after two retries, and no error carries the bot token', async () => {
    const limited: [number, unknown] = [429, { ok: false, description: 'Too Many Requests', parameters: { retry_after: 0 } }];
    script = [limited, limited, limited, limited];
    const notifier = createNotifier({ broker: stubBroker(), telegramBotToken: TOKEN, telegramChatId: '42', telegramApiBase: base });
    const err = await notifier.send({ channel: 'telegram', message: 'x' }, signal()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/rate limit/);
    expect(received).toHaveLength(3);

    script = [[401, { ok: false, description: `Unauthorized for ${TOKEN}` }]];
    const err2 = (await notifier.send({ channel: 'telegram', message: 'x' }, signal()).catch((e: Error) => e)) as Error;
    expect(err2.message).toMatch(/Telegram answered 401/);
    expect(err2.message).not.toContain(TOKEN);

    const down = createNotifier({ broker: stubBroker(), telegramBotToken: TOKEN, telegramChatId: '42', telegramApiBase: 'http://127.0.0.1:1' });
    const err3 = (await down.send({ channel: 'telegram', message: 'x' }, signal()).catch((e: Error) => e)) as Error;
    expect(err3.message).toMatch(/unreachable/);
    expect(err3.message).not.toContain(TOKEN);
  });

  it('prefers OpenAlgo’s telegram for an OpenAlgo broker with a username', async () => {
    const broker = stubBroker({ telegram: () => ({ status: 'success', message: 'queued' }) }, 'openalgo');
    const notifier = createNotifier({ broker, openalgoUsername: 'default-user', telegramBotToken: TOKEN, telegramChatId: '42', telegramApiBase: base });
    expect(await notifier.send({ channel: 'telegram', message: 'a', username: 'rajandran' }, signal())).toEqual({ delivered: true, via: 'openalgo' });
    expect(await notifier.send({ channel: 'telegram', message: 'b' }, signal())).toEqual({ delivered: true, via: 'openalgo' });
    expect(broker.calls.map((c) => c.req)).toEqual([{ username: 'rajandran', message: 'a' }, { username: 'default-user', message: 'b' }]);
    expect(received).toHaveLength(0);
  });

  it('only records when no channel is configured, and for WhatsApp', async () => {
    const recorded: unknown[] = [];
    const notifier = createNotifier({ broker: stubBroker(), record: (n) => recorded.push(n) });
    expect(await notifier.send({ channel: 'telegram', message: 'a' }, signal())).toMatchObject({ delivered: false, via: 'recorded' });
    expect(await notifier.send({ channel: 'whatsapp', message: 'b', to: '91' }, signal())).toMatchObject({ delivered: false, via: 'recorded' });
    expect(recorded).toHaveLength(2);
  });
});

describe('connect-time address guard', () => {
  it('refuses a name that resolves to loopback', async () => {
    const err = await new Promise<Error | null>((resolve) => guardedLookup('localhost', {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/loopback, private or link-local/);
  });
});

describe('telegramAlert as OpenAlgo (execute_telegram_alert: a failed send fails the node)', () => {
  const telegramAlert = defaultRegistry.get('telegramAlert')!;

  it('a send OpenAlgo refuses fails the node', async () => {
    const broker = stubBroker({ telegram: () => ({ status: 'error', message: 'Telegram bot is stopped' }) }, 'openalgo');
    const notifier = createNotifier({ broker, openalgoUsername: 'trader' });
    const { result } = await runNode(telegramAlert, { message: 'entry placed' }, { broker, notifier });
    expect(result).toMatchObject({ status: 'error', message: expect.stringMatching(/telegram alert not sent: OpenAlgo could not send to trader: Telegram bot is stopped/) });
  });

  it('with the paper broker and no channel, the alert is recorded and the output and a warning say it was not delivered', async () => {
    const broker = stubBroker();
    const notifier = createNotifier({ broker });
    const { result, ctx } = await runNode(telegramAlert, { message: 'entry placed' }, { broker, notifier });
    expect(result).toMatchObject({ status: 'success', delivered: false, via: 'recorded', note: expect.stringMatching(/^not delivered: recorded only/) });
    expect(ctx.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringMatching(/NOT delivered/) }));
  });
});

describe("whatsappAlert as OpenAlgo (execute_whatsapp_alert → OpenAlgo's whatsapp/notify)", () => {
  const whatsappAlert = defaultRegistry.get('whatsappAlert')!;

  it('with the OpenAlgo broker, sends to the paired device itself, or to the given phone', async () => {
    const broker = stubBroker({ whatsapp: () => ({ status: 'success' }) }, 'openalgo');
    const notifier = createNotifier({ broker });
    const self = await runNode(whatsappAlert, { message: 'filled' }, { broker, notifier });
    expect(self.result).toMatchObject({ status: 'success', delivered: true, via: 'openalgo' });
    await runNode(whatsappAlert, { message: 'filled', to: '919876543210' }, { broker, notifier });
    expect(broker.calls.map((c) => c.req)).toEqual([{ message: 'filled', self: true }, { message: 'filled', phone: '919876543210' }]);
  });

  it('a send OpenAlgo refuses fails the node', async () => {
    const broker = stubBroker({ whatsapp: () => ({ status: 'error', message: 'WhatsApp is not paired' }) }, 'openalgo');
    const { result } = await runNode(whatsappAlert, { message: 'filled' }, { broker, notifier: createNotifier({ broker }) });
    expect(result).toMatchObject({ status: 'error', message: expect.stringMatching(/WhatsApp is not paired/) });
  });

  it('with the paper broker it is recorded, and the output says so', async () => {
    const broker = stubBroker();
    const { result } = await runNode(whatsappAlert, { message: 'filled' }, { broker, notifier: createNotifier({ broker }) });
    expect(result).toMatchObject({ status: 'success', delivered: false, via: 'recorded', note: expect.stringMatching(/^not delivered/) });
    expect(broker.calls).toHaveLength(0);
  });
});
