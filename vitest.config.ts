import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';

// A command a test spawns without naming a store must never find the developer's ./.aidr or the
// public schema of the test database (CI reuses that server): by default it gets this run's own
// empty data directory and PostgreSQL schema (dropped by test/global-setup.ts). Tests that want a
// store pass their own (test/store/backends.ts).
process.env.AIDR_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'aidr-run-'));
process.env.AIDR_PG_SCHEMA ??= `aidr_test_run_${randomBytes(6).toString('hex')}`;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
  },
});
