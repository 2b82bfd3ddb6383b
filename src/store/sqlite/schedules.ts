// Schedules of active workflows: one row per start node, with when it runs next and what it missed.

import type Database from 'better-sqlite3';
import type { MiscStore, Schedule } from '../types.js';
import type { Sync } from './sync.js';
import { fromJson, toJson } from './json.js';

type DB = Database.Database;

type Row = Omit<Schedule, 'spec'> & { spec: string };

const COLUMNS = `workflow_id AS workflowId, node_id AS nodeId, spec, next_run_at AS nextRunAt, last_run_at AS lastRunAt,
  missed_count AS missedCount, last_missed_at AS lastMissedAt`;

export function scheduleStore(db: DB): Sync<Pick<MiscStore, 'upsertSchedule' | 'listSchedules' | 'deleteSchedulesFor' | 'recordMissedRun'>> {
  const q = {
    upsert: db.prepare(`INSERT INTO schedules (workflow_id, node_id, spec, next_run_at, last_run_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (workflow_id, node_id) DO UPDATE SET spec = excluded.spec, next_run_at = excluded.next_run_at,
      last_run_at = CASE WHEN ? THEN excluded.last_run_at ELSE last_run_at END`),
    listAll: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM schedules ORDER BY workflow_id, node_id`),
    listFor: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM schedules WHERE workflow_id = ? ORDER BY node_id`),
    deleteFor: db.prepare('DELETE FROM schedules WHERE workflow_id = ?'),
    missed: db.prepare(`UPDATE schedules SET missed_count = missed_count + 1, last_missed_at = ?, next_run_at = ?
      WHERE workflow_id = ? AND node_id = ?`),
  };
  const toSchedule = (r: Row): Schedule => ({ ...r, spec: fromJson(r.spec) });
  return {
    upsertSchedule(s) {
      q.upsert.run(s.workflowId, s.nodeId, toJson(s.spec) ?? 'null', s.nextRunAt, s.lastRunAt ?? null,
        s.lastRunAt === undefined ? 0 : 1);
    },
    listSchedules: (workflowId) => (workflowId === undefined ? q.listAll.all() : q.listFor.all(workflowId)).map(toSchedule),
    deleteSchedulesFor: (workflowId) => q.deleteFor.run(workflowId).changes,
    recordMissedRun(m) {
      q.missed.run(m.scheduledFor, m.nextRunAt, m.workflowId, m.nodeId);
    },
  };
}
