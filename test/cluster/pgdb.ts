// A PostgreSQL database of the test's own (test/helpers/postgres.ts), created fresh and dropped afterwards.

import { createDatabase, databaseUrl, dropDatabases } from '../helpers/postgres.js';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'flow_test_cluster'): Promise<TestDatabase> {
  const name = await createDatabase(prefix);
  return { url: databaseUrl(name), name, drop: () => dropDatabases([name]) };
}
