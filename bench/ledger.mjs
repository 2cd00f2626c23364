// Ledger benchmark: reservations per second against ONE hot account (every client reserves on
// the same row: the worst case for a cap), with 1, 4 and 32 concurrent clients, on SQLite and on
// PostgreSQL, printed beside `pgbench -N` (simple-update) on the same server in the same run.
//
//   npm run bench:ledger                      # builds first; DATABASE_URL for the PostgreSQL part
//   BENCH_SECONDS=5 node bench/ledger.mjs     # shorter runs
//
// Each reservation is what `aidr ledger reserve` or the HTTP service does: a conditional UPDATE
// of the account (used + reserved + amount <= cap), a reservation row with a unique idempotency
// key, and a movement row, in one transaction: on SQLite a BEGIN IMMEDIATE transaction
// (synchronous=FULL); on PostgreSQL one CALL of `aidr_reserve_durable` (migrations 002 and 004: the
// row lock is released before the disk flush, the client is answered after it).
// SQLite clients are worker threads with a connection each, contending for the file lock as
// separate processes would. PostgreSQL clients are concurrent loops in one worker thread, each on
// its own pooled connection (Node is asynchronous; more threads would only compete with the
// server for this machine's cores). pgbench runs in its own schema, created and dropped here.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const dist = new URL('../dist/ledger/index.js', import.meta.url);
const ACCOUNT = 'lpp:2025:ultimate_parent:bench-hot';
const AMOUNT = '0.001'; // one milli-TPP: the hot account never fills during a run

if (!isMainThread) {
  // A worker: open its store, say it is ready, then run `clients` concurrent loops from the
  // common start time to the common end (sent by the main thread once every worker is ready).
  const { openStore, reserve } = await import(dist);
  const { options, clients, tag } = workerData;
  const store = await openStore({ ...options, poolSize: clients });
  parentPort.postMessage({ ready: true });
  const { start, end } = await new Promise((resolve) => parentPort.once('message', resolve));
  const lat = [];
  let n = 0, errors = 0;
  while (Date.now() < start) await new Promise((r) => setTimeout(r, 1));
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    let i = 0;
    while (Date.now() < end) {
      const t = performance.now();
      try {
        await reserve(store, { account: ACCOUNT, tpp: AMOUNT, actor: 'bench', idempotencyKey: `${tag}-${c}-${i++}` });
        n++;
        lat.push(performance.now() - t);
      } catch (e) {
        errors++;
        if (errors < 3) console.error(String(e.message ?? e));
      }
    }
  }));
  await store.close();
  parentPort.postMessage({ n, errors, lat });
} else {
  await main();
}

async function main() {
  if (!existsSync(dist)) {
    console.error('bench:ledger: build first (npm run build)');
    process.exit(1);
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const clientCounts = [1, 4, 32];
  const url = process.env.DATABASE_URL || undefined;
  const rows = [];
  console.log(`aidr ledger benchmark: one hot account, ${seconds} s per run, ${cpus().length} CPU(s), node ${process.version}`);

  const { openStore, getAccount } = await import(dist);

  // SQLite
  const dir = mkdtempSync(join(tmpdir(), 'aidr-bench-'));
  try {
    const options = { dataDir: dir };
    await (await openStore(options)).close();
    for (const c of clientCounts) rows.push({ backend: 'sqlite', clients: c, ...(await runClients(options, c, c, seconds)) });
    await check(openStore, getAccount, options, rows.filter((r) => r.backend === 'sqlite'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // PostgreSQL, and pgbench -N on the same server
  let pgbench = [];
  if (url) {
    const schema = `aidr_bench_${randomBytes(4).toString('hex')}`;
    const options = { databaseUrl: url, schema };
    try {
      await (await openStore(options)).close();
      for (const c of clientCounts) rows.push({ backend: 'postgres', clients: c, ...(await runClients(options, c, 1, seconds)) });
      await check(openStore, getAccount, options, rows.filter((r) => r.backend === 'postgres'));
    } finally {
      await psql(url, `drop schema if exists ${schema} cascade`);
    }
    pgbench = await runPgbench(url, clientCounts, seconds);
  } else {
    console.log('DATABASE_URL is not set: PostgreSQL and pgbench skipped.');
  }

  console.log('');
  console.log('backend    clients  reservations/s   p50 ms   p99 ms   pgbench -N tps   ratio');
  for (const r of rows) {
    const pb = r.backend === 'postgres' ? pgbench.find((p) => p.clients === r.clients) : undefined;
    console.log([
      r.backend.padEnd(9), String(r.clients).padStart(7), String(Math.round(r.rate)).padStart(15), r.p50.toFixed(2).padStart(8), r.p99.toFixed(2).padStart(8),
      (pb ? String(Math.round(pb.tps)) : '').padStart(16), (pb ? `${Math.round((100 * r.rate) / pb.tps)} %` : '').padStart(7),
    ].join('  '));
  }
  const target = rows.find((r) => r.backend === 'postgres' && r.clients === 4);
  const base = pgbench.find((p) => p.clients === 4);
  if (target && base) {
    const ratio = target.rate / base.tps;
    console.log(`\nPostgreSQL, one hot account, 4 clients: ${Math.round(target.rate)} reservations/s = ${Math.round(100 * ratio)} % of pgbench -N (${Math.round(base.tps)} tps); target ≥ 50 %: ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
  }
}

/** `clients` loops spread over `threads` worker threads; returns throughput and latency percentiles. */
async function runClients(options, clients, threads, seconds) {
  const tag = randomBytes(4).toString('hex');
  const per = Array.from({ length: threads }, (_, i) => Math.floor(clients / threads) + (i < clients % threads ? 1 : 0));
  const workers = per.map((n, i) => new Worker(new URL(import.meta.url), { workerData: { options, clients: n, tag: `${tag}-${i}` } }));
  const message = (w) => new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await Promise.all(workers.map(message));
  const start = Date.now() + 200;
  const end = start + seconds * 1000;
  const done = workers.map(message);
  for (const w of workers) w.postMessage({ start, end });
  const results = await Promise.all(done);
  const lat = results.flatMap((r) => r.lat).sort((a, b) => a - b);
  const n = results.reduce((s, r) => s + r.n, 0);
  const errors = results.reduce((s, r) => s + r.errors, 0);
  const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : 0);
  const out = { rate: n / seconds, n, errors, p50: pct(0.5), p99: pct(0.99) };
  console.log(`  ${options.dataDir ? 'sqlite' : 'postgres'} ${clients} client(s) on ${threads} thread(s): ${n} reservations (${Math.round(out.rate)}/s), ${errors} errors`);
  return out;
}

/** No lost or doubled write: the account holds exactly what the clients were told they reserved. */
async function check(openStore, getAccount, options, rows) {
  const store = await openStore(options);
  try {
    const a = await getAccount(store, ACCOUNT);
    const expected = rows.reduce((s, r) => s + r.n, 0);
    const got = Math.round(Number(a.reservedTpp) * 1000);
    console.log(`  check: ${got} milli-TPP reserved for ${expected} successful reservations: ${got === expected ? 'exact' : 'MISMATCH'}`);
    if (got !== expected) process.exitCode = 1;
  } finally {
    await store.close();
  }
}

function pgbenchBin() {
  for (const p of ['pgbench', '/usr/lib/postgresql/15/bin/pgbench']) {
    const r = spawnSync(p, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return p;
  }
  return undefined;
}

async function psql(url, text) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function runPgbench(url, clientCounts, seconds) {
  const bin = pgbenchBin();
  if (!bin) {
    console.log('pgbench not found: skipped');
    return [];
  }
  const schema = `aidr_pgbench_${randomBytes(4).toString('hex')}`;
  const env = { ...process.env, PGOPTIONS: `-c search_path=${schema}` };
  const out = [];
  try {
    await psql(url, `create schema ${schema}`);
    execFileSync(bin, ['-i', '-q', '-s', '1', url], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    for (const c of clientCounts) {
      const r = spawnSync(bin, ['-N', '-c', String(c), '-j', String(Math.min(c, 2)), '-T', String(seconds), url], { env, encoding: 'utf8' });
      const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(r.stdout);
      if (!m) throw new Error(`pgbench failed: ${r.stderr || r.stdout}`);
      out.push({ clients: c, tps: Number(m[1]) });
      console.log(`  pgbench -N -c ${c} -j ${Math.min(c, 2)} -T ${seconds}: ${Math.round(Number(m[1]))} tps`);
    }
  } finally {
    await psql(url, `drop schema if exists ${schema} cascade`);
  }
  return out;
}
