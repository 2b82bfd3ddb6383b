// Secrets at rest: AES-256-GCM with a 32-byte key from FLOW_SECRET_KEY or a 0600 key file in the data directory.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StoreError } from './errors.js';

export const SECRET_KEY_FILE = 'secret.key';
const PREFIX = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte key from 64 hex characters or the base64 (or base64url) of 32 bytes; null otherwise. */
export function parseSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  return null;
}

/**
 * The key that encrypts stored secrets: FLOW_SECRET_KEY when set, else `secret.key` in dataDir,
 * created with mode 0600 on first start and reused after.
 */
export function loadSecretKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.FLOW_SECRET_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const key = parseSecretKey(fromEnv);
    if (!key) {
      throw new StoreError('bad_secret_key',
        'FLOW_SECRET_KEY must be 64 hex characters or the base64 of 32 bytes (make one with: openssl rand -hex 32)');
    }
    return key;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, SECRET_KEY_FILE);
  return readKeyFile(file) ?? createKeyFile(file);
}

function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const key = parseSecretKey(text);
  if (!key) {
    throw new StoreError('bad_secret_key',
      `${file} does not hold a 32-byte key (64 hex characters); restore the original file, or stored secrets cannot be read`);
  }
  // Keep the key private even if someone loosened the file's permissions.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return key;
}

// Written to a private temporary file, then linked into place: two processes starting at once agree on one key.
function createKeyFile(file: string): Buffer {
  const key = randomBytes(32);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, key.toString('hex') + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const existing = readKeyFile(file);
    if (existing) return existing;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return key;
}

/** 'v1:' + base64(iv | tag | ciphertext). `context` binds the ciphertext to where it is stored. */
export function encrypt(key: Buffer, plaintext: string, context?: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function decrypt(key: Buffer, text: string, context?: string): string {
  const raw = text.startsWith(PREFIX) ? Buffer.from(text.slice(PREFIX.length), 'base64') : null;
  if (!raw || raw.length < IV_BYTES + TAG_BYTES) {
    throw new StoreError('secret_decrypt_failed', 'a stored secret is not in the expected encrypted format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch (e) {
    throw new StoreError('secret_decrypt_failed',
      'a stored secret could not be decrypted: the secret key (FLOW_SECRET_KEY or secret.key in the data directory) is not the one that encrypted it',
      { cause: e });
  }
}
