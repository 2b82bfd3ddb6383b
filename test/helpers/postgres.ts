// Databases of a test's own on the machine's PostgreSQL (127.0.0.1:5432, user postgres, trust auth):
// flow_test_<random>, created fresh and dropped (WITH FORCE) afterwards, so test runs never share
// or leave state. FLOW_TEST_POSTGRES_URL points the tests at another server.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_SERVER = process.env.FLOW_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_SERVER });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The URL of a database on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(PG_SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, empty database: its name. */
export async function createDatabase(prefix = 'flow_test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return name;
}

export async function dropDatabases(names: readonly string[]): Promise<void> {
  if (names.length) await admin(async (c) => { for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); });
}
