// The data directory is private: Flow creates it 0700 and its files (database, WAL, shared memory,
// keys, API token) 0600, tightens files of its own it finds looser, and says so when the directory
// itself can be read by others (it is the owner's to change).

import fs from 'node:fs';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Creates `dir` (and missing parents) readable by its owner only. */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
}

/** Narrows an existing file to 0600 when group or others have any access; true when it changed. */
export function keepPrivate(file: string): boolean {
  let mode: number;
  try {
    mode = fs.statSync(file).mode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  if ((mode & 0o077) === 0) return false;
  fs.chmodSync(file, PRIVATE_FILE);
  return true;
}

/**
 * Makes the SQLite files private before SQLite opens them: an empty database file is created 0600
 * (SQLite then gives its -wal and -shm files the database file's mode), and existing ones are narrowed.
 */
export function prepareDatabaseFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', PRIVATE_FILE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) keepPrivate(f);
}

/** A warning when the data directory can be read or entered by group or others; null when private. */
export function dataDirWarning(dir: string): string | null {
  const mode = fs.statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  return `the data directory ${dir} is accessible to other users (mode ${mode.toString(8).padStart(4, '0')}): it holds the run history, `
    + `the encrypted secrets and their key. Make it private: chmod 700 ${JSON.stringify(dir)}`;
}
