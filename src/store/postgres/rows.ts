// Reading PostgreSQL rows into the store's types: column lists with quoted camelCase aliases
// (PostgreSQL folds unquoted ones to lower case), and the conversions the SQLite parts share.

import pg from 'pg';
import { StoreError } from '../errors.js';

/** A pool or a client inside a transaction: what every query function takes. */
export type Db = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Runs `fn` in one transaction on one pooled connection: committed when it resolves, rolled back when it throws. */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/**
 * A statement prepared once per connection, by name: the writes every run makes skip PostgreSQL's
 * parse and plan after their first use on a connection. Only for fixed texts (one name, one text).
 */
export function named(db: Db, name: string | undefined, text: string, values: unknown[]): Promise<pg.QueryResult> {
  return db.query({ name, text, values });
}

export const SUMMARY = `id, workflow_id AS "workflowId", version, status, trigger_kind AS "triggerKind",
  trigger_node AS "triggerNode", idempotency_key AS "idempotencyKey", created_at AS "createdAt", started_at AS "startedAt",
  finished_at AS "finishedAt", current_node AS "currentNodeId", current_node_type AS "currentNodeType", error`;

export const INTENT = `key, workflow_id AS "workflowId", execution_id AS "executionId", node_id AS "nodeId", method, status,
  created_at AS "createdAt", resolved_at AS "resolvedAt", order_ids AS "orderIds", error, request, answer`;

export const INFO = (w: string) => `${w}.id, ${w}.name, ${w}.description, ${w}.trigger_kinds AS "triggerKinds",
  ${w}.created_at AS "createdAt", ${w}.updated_at AS "updatedAt", ${w}.active, ${w}.active_version AS "activeVersion",
  ${w}.webhook_token AS "webhookToken", ${w}.auth_type AS "authType", ${w}.concurrency, ${w}.limits,
  ${w}.webhook_secret IS NOT NULL AS "hasWebhookSecret", ${w}.broker_api_key IS NOT NULL AS "hasBrokerApiKey",
  ${w}.webhook_enabled AS "webhookEnabled"`;

/** Maps PostgreSQL failures to StoreError values (as sqlite/errors.ts does SQLite's). */
export function asStoreError(e: unknown, what: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === '23505') return new StoreError('conflict', `${what} already exists`, { cause: e });
  return e;
}

/** BIGINT (int8) as a number: every stored time and id fits in 2^53. */
export const typeParser = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (text: string) => Number(text) : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
} satisfies pg.CustomTypesConfig;
