/** Drops this run's default data directory and PostgreSQL schema (made in vitest.config.ts). */
import { rmSync } from 'node:fs';
import pg from 'pg';

export async function teardown(): Promise<void> {
  const dir = process.env.AIDR_DATA_DIR;
  if (dir?.includes('aidr-run-')) rmSync(dir, { recursive: true, force: true });
  const schema = process.env.AIDR_PG_SCHEMA;
  const url = process.env.DATABASE_URL;
  if (!url || !schema?.startsWith('aidr_test_run_')) return;
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.query(`drop schema if exists pgboss_${schema} cascade`);
  } catch {
    // The server may be gone at the end of a run; the schema is then someone else's to clean.
  } finally {
    await c.end().catch(() => {});
  }
}
