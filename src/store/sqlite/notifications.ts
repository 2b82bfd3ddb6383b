// Alerts a run sent (or failed to send), shown with the run.

import type Database from 'better-sqlite3';
import type { MiscStore, StoredNotification } from '../types.js';
import type { Sync } from './sync.js';

type DB = Database.Database;

export interface NotificationStore extends Sync<Pick<MiscStore, 'insertNotification'>> {
  listNotifications(executionId: string): StoredNotification[];
}

export function notificationStore(db: DB): NotificationStore {
  const q = {
    insert: db.prepare(`INSERT INTO notifications (execution_id, node_id, channel, delivered, created_at, detail, message)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    list: db.prepare<[string], Omit<StoredNotification, 'delivered'> & { delivered: number }>(
      `SELECT node_id AS nodeId, channel, message, delivered, detail, created_at AS createdAt FROM notifications
       WHERE execution_id = ? ORDER BY id`),
  };
  return {
    insertNotification(n) {
      q.insert.run(n.executionId, n.nodeId, n.channel, n.delivered ? 1 : 0, n.createdAt ?? Date.now(), n.detail ?? null, n.message);
    },
    listNotifications: (executionId) => q.list.all(executionId).map((r) => ({ ...r, delivered: r.delivered === 1 })),
  };
}
