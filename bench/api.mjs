// HTTP benchmark of `aidr serve`, beside a bare Fastify server measured in the same run on the same
// machine, with autocannon.
//
//   npm run bench:api                                        # builds first
//   BENCH_SECONDS=5 BENCH_ROUNDS=1 node bench/api.mjs          # quicker
//   BENCH_BASELINE=/path/to/another/checkout node bench/api.mjs  # the same scenarios against another build, interleaved
//   DATABASE_URL=postgres://… node bench/api.mjs               # commits on PostgreSQL too
//
// What it reports:
// 1. Evaluate (lean and full output) at BENCH_CONNECTIONS connections (default 50): req/s, p99, and
//    the server's CPU per request (user + system, from /proc) against its ceiling: the CPU a bare
//    Fastify route spends sending the same bytes with no work at all, plus the in-process cost of
//    the work (validate + determine + JSON.stringify, measured here). Beside them, a bare Fastify
//    route doing that work itself (JSON body, check, JSON.stringify, send): the work costs more
//    inside a server than in a tight loop (colder caches, the kernel's send), so this row is the
//    floor such a route reaches, and aidr is also given as a ratio to it. Shared machines are
//    noisy: CPU per request barely depends on what else runs; req/s does.
// 2. Commit throughput and p99 at 1, 8 and 50 connections, on SQLite and, with DATABASE_URL,
//    PostgreSQL (every build side by side, interleaved round by round, medians): each request an AIA commit (a ledger movement and a signed audit
//    record) on disk before its answer; commits that arrive together share one transaction and
//    one flush (group commit, src/store/group.ts).
// 3. /healthz latency while another process runs a 100,000-line `aidr ledger import` on the same
//    SQLite file (it holds the write lock for the whole import).
//
// Each server is a child process (one core for the server, one for autocannon on a 2-core
// machine). aidr runs as deployed: authentication on (--auth, an API key on every request), pino
// request logs at info (to /dev/null: formatting and writing are paid, a terminal is not),
// metrics on. The bare server has no hooks, logging or auth. Scenarios are interleaved over
// BENCH_ROUNDS rounds (default 3) and each figure is the median.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const COMMIT_CONNECTIONS = [1, 8, 50];
const IMPORT_LINES = Number(process.env.BENCH_IMPORT_LINES ?? 100_000);
const root = new URL('..', import.meta.url).pathname;
const DATABASE_URL = process.env.DATABASE_URL || undefined;
/** BENCH_ONLY=evaluate,commits,healthz: run only these parts. */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'evaluate,commits,healthz').split(','));
const builds = [{ label: 'this build', root }, ...(process.env.BENCH_BASELINE ? [{ label: 'baseline', root: process.env.BENCH_BASELINE }] : [])];
const example = readFileSync(join(root, 'examples/h100-germany.json'), 'utf8');
const tx = JSON.parse(example);
const leanBody = JSON.stringify({ transaction: tx, options: { explain: false } });
const commitBody = JSON.stringify({ transaction: { ...tx, consignee: { ...tx.consignee, id: 'bench-consignee' } }, commit: true });

const BARE = `
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
const { check } = await import(${JSON.stringify(join(root, 'dist/index.js'))});
const tx = JSON.parse(readFileSync(${JSON.stringify(join(root, 'examples/h100-germany.json'))}, 'utf8'));
const full = JSON.stringify(check(tx));
const lean = JSON.stringify(check(tx, { explain: false }));
const app = Fastify({ logger: false });
app.post('/full', async (req, reply) => reply.type('application/json; charset=utf-8').send(full));
app.post('/lean', async (req, reply) => reply.type('application/json; charset=utf-8').send(lean));
// The floor a route doing the same work reaches: Fastify's JSON body parser, check (validate +
// determine), JSON.stringify, send; no hooks, logging, auth, metrics or ledger.
app.post('/work/full', async (req, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(check(req.body))));
app.post('/work/lean', async (req, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(check(req.body, { explain: false }))));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stderr.write('listening on ' + address + '\\n');
`;

function start(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const devnull = openSync('/dev/null', 'w');
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', devnull, 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** user + system CPU seconds of a process so far. */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(target, opts, connections = CONNECTIONS) {
  const o = { ...opts, connections };
  // A short warm-up lets V8 optimise the hot path before the measured run.
  await autocannon({ ...o, duration: 2 });
  const cpu0 = cpuSeconds(target.child.pid);
  const r = await autocannon({ ...o, duration: SECONDS });
  const cpu = cpuSeconds(target.child.pid) - cpu0;
  return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, bad: r.non2xx + r.errors + r.timeouts, cpuUs: (cpu * 1e6) / Math.max(1, r['2xx'] + r.non2xx) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** µs per call of validate + determine + JSON.stringify in this process: the work a request cannot avoid. */
async function inProcessCost(buildRoot) {
  const { check } = await import(join(buildRoot, 'dist/index.js'));
  const per = (opts) => {
    for (let i = 0; i < 2000; i++) JSON.stringify(check(tx, opts));
    const n = 20_000;
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) JSON.stringify(check(tx, opts));
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  return { full: per({}), lean: per({ explain: false }) };
}

function aidr(build, env, args) {
  return execFileSync(join(build.root, 'bin/aidr'), args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

async function psql(text) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

const results = { evaluate: [], commits: [], healthz: [] };
const cleanups = [];

try {
  // 1. Evaluate, beside the bare ceiling.
  const work = await inProcessCost(root);
  results.work = work;
  if (ONLY.has('evaluate')) {
  const bare = await start(process.execPath, ['--input-type=module', '-e', BARE], {});
  cleanups.push(() => stop(bare.child));
  const json = { 'content-type': 'application/json' };
  const scenarios = [
    { name: 'bare Fastify POST, full output bytes', target: bare, opts: { url: `${bare.url}/full`, method: 'POST', headers: json, body: example } },
    { name: 'bare Fastify POST, lean output bytes', target: bare, opts: { url: `${bare.url}/lean`, method: 'POST', headers: json, body: example } },
    { name: 'bare Fastify POST doing the work, full', target: bare, opts: { url: `${bare.url}/work/full`, method: 'POST', headers: json, body: example }, ceiling: 'full', floor: true },
    { name: 'bare Fastify POST doing the work, lean', target: bare, opts: { url: `${bare.url}/work/lean`, method: 'POST', headers: json, body: example }, ceiling: 'lean', floor: true },
  ];
  for (const build of builds) {
    const data = mkdtempSync(join(tmpdir(), 'aidr-bench-api-'));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const env = { AIDR_DATA_DIR: data, DATABASE_URL: '', AIDR_SIGNING_KEY: '' };
    const key = aidr(build, env, ['keys', 'create', '--role', 'officer', '--name', 'bench']);
    const server = await start(process.execPath, [join(build.root, 'bin/aidr'), 'serve', '--port', '0', '--auth', '--log-level', 'info'], env);
    cleanups.push(() => stop(server.child));
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    scenarios.push(
      { name: `aidr evaluate, full (${build.label})`, target: server, opts: { url: `${server.url}/v1/determinations`, method: 'POST', headers: auth, body: example }, ceiling: 'full' },
      { name: `aidr evaluate, lean (${build.label})`, target: server, opts: { url: `${server.url}/v1/determinations`, method: 'POST', headers: auth, body: leanBody }, ceiling: 'lean' },
    );
  }
  for (const s of scenarios) s.runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of scenarios) s.runs.push(await measure(s.target, s.opts));
    process.stderr.write(`evaluate round ${round + 1}/${ROUNDS} done\n`);
  }
  const summary = (s) => ({ name: s.name, rps: median(s.runs.map((r) => r.rps)), p99: median(s.runs.map((r) => r.p99)), cpuUs: median(s.runs.map((r) => r.cpuUs)), bad: s.runs.reduce((a, r) => a + r.bad, 0), ceiling: s.ceiling, floor: s.floor });
  const rows = scenarios.map(summary);
  const bareOf = { full: rows[0], lean: rows[1] };
  const floorOf = { full: rows[2], lean: rows[3] };
  for (const r of rows) {
    if (r.ceiling) {
      const ceiling = bareOf[r.ceiling].cpuUs + work[r.ceiling];
      Object.assign(r, { ceilingUs: ceiling, ratio: r.cpuUs / ceiling });
      if (!r.floor) r.overFloor = r.cpuUs / floorOf[r.ceiling].cpuUs;
    }
    results.evaluate.push(r);
  }
  for (const c of cleanups.splice(0)) await c();
  }

  // 2. Commits at 1, 8 and 50 connections, SQLite and PostgreSQL: every build's server started
  // side by side, the measurements interleaved round by round (the load of a shared machine moves).
  for (const backend of ONLY.has('commits') ? (DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite']) : []) {
    const servers = [];
    try {
      for (const build of builds) {
        const data = mkdtempSync(join(tmpdir(), 'aidr-bench-commit-'));
        const schema = `aidr_bench_${randomBytes(4).toString('hex')}`;
        const env = backend === 'sqlite'
          ? { AIDR_DATA_DIR: data, DATABASE_URL: '', AIDR_SIGNING_KEY: '' }
          : { AIDR_DATA_DIR: data, DATABASE_URL, AIDR_PG_SCHEMA: schema, AIDR_SIGNING_KEY: join(data, 'signing.key') };
        const key = aidr(build, env, ['keys', 'create', '--role', 'officer', '--name', 'bench']);
        const server = await start(process.execPath, [join(build.root, 'bin/aidr'), 'serve', '--port', '0', '--auth', '--log-level', 'info'], env);
        servers.push({ build, server, key, data, schema });
      }
      for (const connections of COMMIT_CONNECTIONS) {
        const runs = servers.map(() => []);
        for (let round = 0; round < ROUNDS; round++) {
          for (const [i, x] of servers.entries()) {
            runs[i].push(await measure(x.server, { url: `${x.server.url}/v1/determinations`, method: 'POST', headers: { authorization: `Bearer ${x.key}`, 'content-type': 'application/json' }, body: commitBody }, connections));
          }
        }
        for (const [i, x] of servers.entries()) {
          const r = runs[i];
          const row = { build: x.build.label, backend, connections, rps: median(r.map((m) => m.rps)), p50: median(r.map((m) => m.p50)), p99: median(r.map((m) => m.p99)), cpuUs: median(r.map((m) => m.cpuUs)), bad: r.reduce((a, m) => a + m.bad, 0) };
          results.commits.push(row);
          process.stderr.write(`commits ${row.build} ${backend} ${connections} connection(s): ${Math.round(row.rps)}/s, p99 ${row.p99} ms\n`);
        }
      }
    } finally {
      for (const x of servers) {
        await stop(x.server.child);
        rmSync(x.data, { recursive: true, force: true });
        if (backend === 'postgres') await psql(`drop schema if exists ${x.schema} cascade; drop schema if exists pgboss_${x.schema} cascade`);
      }
    }
  }

  // 3. /healthz while another process imports 100,000 lines into the same SQLite file.
  for (const build of ONLY.has('healthz') ? builds : []) {
    const data = mkdtempSync(join(tmpdir(), 'aidr-bench-import-'));
    try {
      const env = { AIDR_DATA_DIR: data, DATABASE_URL: '', AIDR_SIGNING_KEY: '' };
      const file = join(data, 'import.jsonl');
      writeFileSync(file, Array.from({ length: IMPORT_LINES }, (_, i) => JSON.stringify({ account: `aia:import-${i % 1000}`, tpp: '1', date: '2025-06-02', ref: `line ${i}` })).join('\n'));
      const key = aidr(build, env, ['keys', 'create', '--role', 'officer', '--name', 'bench']);
      const server = await start(process.execPath, [join(build.root, 'bin/aidr'), 'serve', '--port', '0', '--auth', '--log-level', 'warn'], env);
      try {
        const importer = spawn(process.execPath, [join(build.root, 'bin/aidr'), 'ledger', 'import', file], { env: { ...process.env, ...env }, stdio: 'ignore' });
        const t0 = Date.now();
        let importing = true;
        importer.on('exit', () => (importing = false));
        const latencies = [];
        let commits = 0;
        // A commit in flight the whole time (it waits for the lock, or is refused after the deadline).
        const committing = (async () => {
          while (importing) {
            const r = await fetch(`${server.url}/v1/determinations`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: commitBody });
            await r.arrayBuffer();
            commits++;
          }
        })();
        while (importing) {
          const t = performance.now();
          const r = await fetch(`${server.url}/healthz`);
          await r.arrayBuffer();
          latencies.push(performance.now() - t);
          await new Promise((res) => setTimeout(res, 5));
        }
        await committing;
        const sorted = latencies.sort((a, b) => a - b);
        const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
        results.healthz.push({ build: build.label, importSeconds: (Date.now() - t0) / 1000, requests: sorted.length, p50: pct(0.5), p99: pct(0.99), max: sorted.at(-1) ?? 0, commitsTried: commits });
      } finally {
        await stop(server.child);
      }
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }
} finally {
  for (const c of cleanups) await c();
}

// ---- report ---------------------------------------------------------------------------------------
const pad = (rows) => {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ')).join('\n');
};
process.stdout.write(`\n${CONNECTIONS} connections, ${SECONDS} s per measurement, median of ${ROUNDS} interleaved rounds, Node ${process.version}\n`);
process.stdout.write(`in-process work (validate + determine + JSON.stringify): full ${results.work.full.toFixed(1)} µs, lean ${results.work.lean.toFixed(1)} µs\n\n`);
process.stdout.write(`${pad([
  ['scenario', 'req/s', 'p99 ms', 'server CPU µs/req', 'ceiling µs/req', 'CPU / ceiling', 'CPU / bare doing the work', 'non-2xx'],
  ...results.evaluate.map((r) => [r.name, r.rps.toFixed(0), r.p99, r.cpuUs.toFixed(0), r.ceilingUs ? r.ceilingUs.toFixed(0) : '', r.ratio ? `${r.ratio.toFixed(2)}x` : '', r.overFloor ? `${r.overFloor.toFixed(2)}x` : '', r.bad]),
])}\n(ceiling: the bare route's CPU for the same bytes + the in-process work; target ≤ 1.5x, p99 < 20 ms.
 bare doing the work: a bare Fastify route that parses the body, runs check and JSON.stringify: the floor a route doing the same work reaches in a server)\n\n`);
process.stdout.write(`${pad([
  ['commits', 'build', 'connections', 'commits/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'non-2xx'],
  ...results.commits.map((r) => [r.backend, r.build, r.connections, r.rps.toFixed(0), r.p50, r.p99, r.cpuUs.toFixed(0), r.bad]),
])}\n\n`);
process.stdout.write(`${pad([
  [`/healthz during a ${IMPORT_LINES}-line ledger import`, 'import s', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'commits tried'],
  ...results.healthz.map((r) => [r.build, r.importSeconds.toFixed(1), r.requests, r.p50.toFixed(1), r.p99.toFixed(1), r.max.toFixed(1), r.commitsTried]),
])}\n`);
