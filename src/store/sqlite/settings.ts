// Single-value rows: settings (kill switch, API token hash, …) and the paper account's state.

import type Database from 'better-sqlite3';
import type { MiscStore } from '../types.js';
import type { Sync } from './sync.js';
import { fromJson, toJson } from './json.js';

type DB = Database.Database;

export function settingsStore(db: DB): Sync<Pick<MiscStore, 'getSetting' | 'setSetting' | 'savePaperState' | 'loadPaperState'>> {
  const q = {
    get: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    set: db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
    remove: db.prepare('DELETE FROM settings WHERE key = ?'),
    savePaper: db.prepare(`INSERT INTO paper_account (id, updated_at, state) VALUES (1, ?, ?)
      ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, state = excluded.state`),
    loadPaper: db.prepare<[], { state: string }>('SELECT state FROM paper_account WHERE id = 1'),
  };
  return {
    getSetting: (key) => q.get.get(key)?.value ?? null,
    setSetting(key, value) {
      if (value === null) q.remove.run(key);
      else q.set.run(key, value, Date.now());
    },
    savePaperState(state) {
      q.savePaper.run(Date.now(), toJson(state) ?? 'null');
    },
    loadPaperState: () => fromJson(q.loadPaper.get()?.state),
  };
}
