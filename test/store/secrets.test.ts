import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt, loadSecretKey, openStore, SECRET_KEY_FILE } from '../../src/store/index.js';
import { tempDir } from './helpers.js';

describe('secret key', () => {
  it('is created on first start as a 0600 key file in the data directory and reused after', async () => {
    const dir = tempDir();
    const first = loadSecretKey(dir, {});
    const file = path.join(dir, SECRET_KEY_FILE);
    expect(first).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(dir, {}).equals(first)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([SECRET_KEY_FILE]);
  });

  it('creates the data directory when it does not exist', async () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    expect(loadSecretKey(dir, {})).toHaveLength(32);
    expect(fs.existsSync(path.join(dir, SECRET_KEY_FILE))).toBe(true);
  });

  it('tightens a key file whose permissions were loosened', async () => {
    const dir = tempDir();
    const key = loadSecretKey(dir, {});
    const file = path.join(dir, SECRET_KEY_FILE);
    fs.chmodSync(file, 0o644);
    expect(loadSecretKey(dir, {}).equals(key)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('honours FLOW_SECRET_KEY as 64 hex characters or base64 of 32 bytes, and then writes no key file', async () => {
    const dir = tempDir();
    const raw = randomBytes(32);
    expect(loadSecretKey(dir, { FLOW_SECRET_KEY: raw.toString('hex') }).equals(raw)).toBe(true);
    expect(loadSecretKey(dir, { FLOW_SECRET_KEY: raw.toString('base64') }).equals(raw)).toBe(true);
    expect(loadSecretKey(dir, { FLOW_SECRET_KEY: raw.toString('base64url') }).equals(raw)).toBe(true);
    expect(fs.existsSync(path.join(dir, SECRET_KEY_FILE))).toBe(false);
  });

  it('rejects a FLOW_SECRET_KEY that is not 32 bytes, saying how to make one', async () => {
    for (const bad of ['abc', randomBytes(16).toString('hex'), randomBytes(31).toString('base64')]) {
      expect(() => loadSecretKey(tempDir(), { FLOW_SECRET_KEY: bad }))
        .toThrow(expect.objectContaining({ code: 'bad_secret_key', message: expect.stringContaining('openssl rand -hex 32') }));
    }
  });

  it('rejects a damaged key file instead of silently replacing it', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, SECRET_KEY_FILE), 'not a key\n', { mode: 0o600 });
    expect(() => loadSecretKey(dir, {})).toThrow(expect.objectContaining({ code: 'bad_secret_key' }));
    expect(fs.readFileSync(path.join(dir, SECRET_KEY_FILE), 'utf8')).toBe('not a key\n');
  });
});

describe('encryption', () => {
  const key = randomBytes(32);

  it('round-trips text, with a fresh IV each time', async () => {
    const a = encrypt(key, 'api-key-123');
    const b = encrypt(key, 'api-key-123');
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(a).not.toBe(b);
    expect(decrypt(key, a)).toBe('api-key-123');
    expect(decrypt(key, encrypt(key, ''))).toBe('');
    expect(decrypt(key, encrypt(key, 'ठीक है ₹'))).toBe('ठीक है ₹');
  });

  it('fails with a clear error under another key, another context or a tampered text', async () => {
    const text = encrypt(key, 'secret', 'wf_1:webhook_secret');
    expect(decrypt(key, text, 'wf_1:webhook_secret')).toBe('secret');
    expect(() => decrypt(randomBytes(32), text, 'wf_1:webhook_secret')).toThrow(expect.objectContaining({ code: 'secret_decrypt_failed' }));
    expect(() => decrypt(key, text, 'wf_2:webhook_secret')).toThrow(expect.objectContaining({ code: 'secret_decrypt_failed' }));
    const raw = Buffer.from(text.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => decrypt(key, 'v1:' + raw.toString('base64'), 'wf_1:webhook_secret')).toThrow(expect.objectContaining({ code: 'secret_decrypt_failed' }));
    expect(() => decrypt(key, 'secret')).toThrow(expect.objectContaining({ code: 'secret_decrypt_failed' }));
  });
});

describe('secrets at rest', () => {
  const API_KEY = 'OPENALGO_KEY_9f8e7d6c5b4a39281706';
  const WEBHOOK_SECRET = 'whsec_Zq8XpL2mN4vB7cR1tY6u';

  it('the database file holds neither the broker API key nor the webhook secret in clear text', async () => {
    const dir = tempDir();
    const store = await openStore({ dataDir: dir, env: {} });
    const wf = await store.createWorkflow({ name: 'Visible name 42', definition: { name: 'Visible name 42', nodes: [], edges: [] } });
    const version = await store.freezeVersion(wf.id, wf.definition);
    await store.setActive({
      workflowId: wf.id, version, webhookToken: 'token_abc', webhookSecret: WEBHOOK_SECRET, authType: 'hmac',
      concurrency: 'queue', limits: {}, brokerApiKey: API_KEY,
    });
    expect((await store.getByWebhookToken('token_abc'))?.webhookSecret).toBe(WEBHOOK_SECRET);
    expect(await store.getWorkflowSecrets(wf.id)).toEqual({ webhookSecret: WEBHOOK_SECRET, brokerApiKey: API_KEY });

    const files = () => fs.readdirSync(dir).filter((f) => f.startsWith('flow.db'))
      .map((f) => fs.readFileSync(path.join(dir, f)).toString('latin1')).join('\n');
    // Checked while open (WAL present) and after close (checkpointed into the main file).
    for (const check of [async () => files(), async () => { await store.close(); return files(); }]) {
      const content = await check();
      expect(content).toContain('Visible name 42');
      expect(content).not.toContain(API_KEY);
      expect(content).not.toContain(WEBHOOK_SECRET);
      expect(content).not.toContain(Buffer.from(API_KEY).toString('base64'));
    }
  });

  it('stored secrets read back after a restart with the same key file', async () => {
    const dir = tempDir();
    const first = await openStore({ dataDir: dir, env: {} });
    const wf = await first.createWorkflow({ definition: { name: 'w', nodes: [], edges: [] } });
    await first.setActive({
      workflowId: wf.id, version: await first.freezeVersion(wf.id, wf.definition), webhookToken: 't1', webhookSecret: WEBHOOK_SECRET,
      authType: 'payload', concurrency: 'queue', limits: {}, brokerApiKey: API_KEY,
    });
    await first.close();
    const second = await openStore({ dataDir: dir, env: {} });
    expect(await second.getWorkflowSecrets(wf.id)).toEqual({ webhookSecret: WEBHOOK_SECRET, brokerApiKey: API_KEY });
    await second.close();
    const other = await openStore({ dataDir: dir, env: { FLOW_SECRET_KEY: randomBytes(32).toString('hex') } });
    await expect(other.getWorkflowSecrets(wf.id)).rejects.toThrow(expect.objectContaining({ code: 'secret_decrypt_failed' }));
    await other.close();
  });
});
