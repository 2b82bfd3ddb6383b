// DESIGN.md §6: secrets never reach stored run data. A webhook payload carrying apikey/password/token
// keys and the very values of Flow's own secrets, rendered whole into a log and a Telegram message,
// leaves none of them in the run as the API shows it, nor anywhere in the SQLite file.
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeOpenAlgo, ok, type FakeOpenAlgo } from '../openalgo/fake-openalgo.js';
import { node, startTestFlow, until, type TestFlow } from '../server/helpers.js';

const GLOBAL_KEY = 'oa-global/Key+0123456789abcdef';
const WORKFLOW_KEY = 'oa-workflow-key-fedcba9876543210';
const BOT_TOKEN = '123456789:AAE-telegram_bot-token-xyz';
const API_TOKEN = 'flow-api-token-7e1d5c3b9a';
const PASSWORD = 'hunter2-trader-password';

const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** A Telegram Bot API stand-in that refuses every message, quoting it back (as its errors sometimes do). */
async function echoingTelegram(): Promise<{ url: string; texts: string[] }> {
  const texts: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const { text } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string };
    texts.push(text);
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: false, description: `Bad Request: can't parse ${req.url} ${text}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, texts };
}

/** Every form Flow could store a secret in: plain, JSON-escaped, URL-encoded. */
const forms = (s: string) => [...new Set([s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)])];

describe('secrets at rest', () => {
  it('a webhook payload with apikey/password/token keys and known secret values, rendered whole into log and Telegram messages, stores none of them', async () => {
    const telegram = await echoingTelegram();
    const fake: FakeOpenAlgo = await fakeOpenAlgo((endpoint) => (endpoint === 'ping' ? ok({ data: { message: 'pong', broker: 'fake' } }) : ok({ orderid: 'OID1' })));
    cleanup.push(() => fake.close());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-secrets-'));
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const flow: TestFlow = await startTestFlow({
      OPENALGO_HOST: fake.url, OPENALGO_API_KEY: GLOBAL_KEY, FLOW_API_TOKEN: API_TOKEN,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_CHAT_ID: '42', TELEGRAM_API_BASE: telegram.url,
    }, { dataDir });
    let stopped = false;
    cleanup.push(() => (stopped ? undefined : flow.stop()));

    const definition = {
      name: 'secrets in a payload',
      nodes: [
        node('hook', 'webhookTrigger'),
        node('say', 'log', { message: 'got {{webhook}}' }, 100),
        node('tell', 'telegramAlert', { message: 'alert {{webhook}}', onError: 'continue' }, 200),
        node('keep', 'variable', { variableName: 'noted', operation: 'set', value: '{{webhook.note}} {{webhook.link}}' }, 300),
        node('buy', 'placeOrder', { symbol: 'SBIN', exchange: 'NSE', action: 'BUY', quantity: 1, priceType: 'MARKET', product: 'MIS', strategy: '{{webhook.note}}' }, 400),
        node('after', 'log', { message: 'sent with {{webhook.note}} via {{webhook.link}}' }, 500),
      ],
      edges: [
        { id: 'e1', source: 'hook', target: 'say' }, { id: 'e2', source: 'say', target: 'tell' }, { id: 'e3', source: 'tell', target: 'keep' },
        { id: 'e4', source: 'keep', target: 'buy' }, { id: 'e5', source: 'buy', target: 'after' },
      ],
    };
    const created = await flow.api<{ id: string }>('POST', '/api/workflows', definition);
    expect(created.status).toBe(201);
    const act = await flow.api<{ webhook: { url: string; secret: string } }>('POST', `/api/workflows/${created.body.id}/activate`, { brokerApiKey: WORKFLOW_KEY });
    expect(act.status).toBe(200);
    const webhookSecret = act.body.webhook.secret;
    const secrets = [GLOBAL_KEY, WORKFLOW_KEY, BOT_TOKEN, API_TOKEN, webhookSecret, PASSWORD];

    const payload = {
      secret: webhookSecret,
      apikey: GLOBAL_KEY, password: PASSWORD, token: BOT_TOKEN,
      note: `keys ${WORKFLOW_KEY} ${API_TOKEN} ${webhookSecret}`,
      link: `https://example.test/hook?q=${encodeURIComponent(BOT_TOKEN)}&k=${encodeURIComponent(GLOBAL_KEY)}`,
    };
    const res = await fetch(act.body.webhook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    expect(res.status).toBe(202);
    const { executionId } = (await res.json()) as { executionId: string };
    const run = await until(async () => {
      const r = await flow.api<{ status: string }>('GET', `/api/executions/${executionId}`);
      return r.body.status === 'completed' || r.body.status === 'failed' ? r : null;
    }, 10_000);

    // The run really carried the payload through every node, and the order and the message really went out.
    expect(run.body.status).toBe('completed');
    expect(fake.calls('placeorder')).toHaveLength(1);
    expect(telegram.texts).toHaveLength(1);
    const shown = JSON.stringify(run.body);
    expect(shown).toContain('[redacted]');
    expect(shown).toMatch(/got \{.*"symbol"|got \{.*"note"/);
    for (const s of secrets) for (const form of forms(s)) expect(shown, `${s} as ${form} in GET /api/executions/:id`).not.toContain(form);

    // Read back from the SQLite file itself: every text column of every table, and the raw bytes.
    await flow.stop();
    stopped = true;
    const file = path.join(flow.dataDir, 'flow.db');
    const db = new Database(file, { readonly: true });
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
    const rows = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())).join('\n');
    db.close();
    expect(rows).toContain(executionId);
    for (const s of secrets) for (const form of forms(s)) expect(rows, `${s} as ${form} in the database`).not.toContain(form);
    for (const f of [file, `${file}-wal`]) {
      if (!fs.existsSync(f)) continue;
      const bytes = fs.readFileSync(f);
      for (const s of secrets) expect(bytes.includes(Buffer.from(s)), `${s} in ${path.basename(f)}`).toBe(false);
    }
  }, 30_000);
});
