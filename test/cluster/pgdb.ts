// A PostgreSQL database of the test's own on the machine's server (127.0.0.1:5432, user postgres),
// created fresh and dropped afterwards. FLOW_TEST_PG overrides the server URL.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_SERVER = process.env.FLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'flow_test_cluster'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: `${PG_SERVER}/${name}`,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
