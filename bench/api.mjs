// HTTP benchmark: `POST /v1/determinations` through `aidr serve` (evaluate with the full output,
// evaluate lean, and commit on SQLite) beside a bare Fastify server measured in the same run on
// the same machine, with autocannon (BENCH_CONNECTIONS connections, default 50; BENCH_SECONDS per
// measurement, default 10).
//
//   npm run bench:api                                  # builds first
//   BENCH_SECONDS=5 BENCH_ROUNDS=1 node bench/api.mjs   # quicker
//
// Each server is a child process (one core for the server, one for autocannon on a 2-core
// machine). aidr runs as deployed: authentication on (--auth, an API key on every request), pino
// request logs at info (written to /dev/null: formatting and writing are paid, a terminal is not),
// metrics on. The bare server has no hooks, logging or auth. Its routes:
// - GET /small: a small JSON object (the baseline);
// - POST /small: parses the same request body, returns a small JSON object;
// - POST /full, POST /lean: parse the body and send the example's determination pre-serialized,
//   i.e. the same bytes as aidr's answer with no work at all: the ceiling for that response size.
//
// Shared machines are noisy: the scenarios are interleaved over BENCH_ROUNDS rounds (default 3),
// each figure is the median over the rounds, and beside req/s the table gives the server's own
// CPU time per request (from /proc), which other processes on the machine barely disturb.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = new URL('..', import.meta.url).pathname;
const aidr = join(root, 'bin/aidr');
const example = readFileSync(join(root, 'examples/h100-germany.json'), 'utf8');
const tx = JSON.parse(example);
const leanBody = JSON.stringify({ transaction: tx, options: { explain: false } });

const BARE = `
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
const { check } = await import(${JSON.stringify(join(root, 'dist/index.js'))});
const tx = JSON.parse(readFileSync(${JSON.stringify(join(root, 'examples/h100-germany.json'))}, 'utf8'));
const full = JSON.stringify(check(tx));
const lean = JSON.stringify(check(tx, { explain: false }));
const app = Fastify({ logger: false });
app.get('/small', async () => ({ hello: 'world' }));
app.post('/small', async (req) => ({ ok: true, id: req.body?.id ?? null }));
app.post('/full', async (req, reply) => reply.type('application/json; charset=utf-8').send(full));
app.post('/lean', async (req, reply) => reply.type('application/json; charset=utf-8').send(lean));
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

async function measure(target, opts) {
  const o = { ...opts, connections: CONNECTIONS };
  // A short warm-up lets V8 optimise the hot path before the measured run.
  await autocannon({ ...o, duration: 2 });
  const cpu0 = cpuSeconds(target.child.pid);
  const r = await autocannon({ ...o, duration: SECONDS });
  const cpu = cpuSeconds(target.child.pid) - cpu0;
  return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, ok: r['2xx'], bad: r.non2xx + r.errors + r.timeouts, cpuUs: (cpu * 1e6) / Math.max(1, r['2xx'] + r.non2xx) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const data = mkdtempSync(join(tmpdir(), 'aidr-bench-api-'));
const env = { AIDR_DATA_DIR: data, DATABASE_URL: '' };
let bare, server;
const scenarios = [];
try {
  const key = execFileSync(aidr, ['keys', 'create', '--role', 'officer', '--name', 'bench'], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const json = { 'content-type': 'application/json' };
  bare = await start(process.execPath, ['--input-type=module', '-e', BARE], {});
  server = await start(process.execPath, [aidr, 'serve', '--port', '0', '--auth', '--log-level', 'info'], env);
  const determinations = `${server.url}/v1/determinations`;
  scenarios.push(
    { name: 'bare Fastify GET, small JSON (baseline)', target: bare, opts: { url: `${bare.url}/small` } },
    { name: 'bare Fastify POST same body, small JSON', target: bare, opts: { url: `${bare.url}/small`, method: 'POST', headers: json, body: example } },
    { name: 'bare Fastify POST, full output bytes', target: bare, opts: { url: `${bare.url}/full`, method: 'POST', headers: json, body: example } },
    { name: 'bare Fastify POST, lean output bytes', target: bare, opts: { url: `${bare.url}/lean`, method: 'POST', headers: json, body: example } },
    { name: 'aidr evaluate, full output', target: server, opts: { url: determinations, method: 'POST', headers: auth, body: example } },
    { name: 'aidr evaluate, lean (explain: false)', target: server, opts: { url: determinations, method: 'POST', headers: auth, body: leanBody } },
  );
  for (const s of scenarios) s.runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of scenarios) s.runs.push(await measure(s.target, s.opts));
    process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  // Commit: AIA draws on the consignee's cumulative account (no cap), so every request commits:
  // a ledger movement and an audit record in one SQLite transaction, on disk before the answer.
  const commitBody = JSON.stringify({ transaction: { ...tx, consignee: { ...tx.consignee, id: 'bench-consignee' } }, commit: true });
  const commit = { name: 'aidr commit (SQLite, synchronous=FULL)', runs: [await measure(server, { url: determinations, method: 'POST', headers: auth, body: commitBody })] };
  scenarios.push(commit);
} finally {
  if (bare) await stop(bare.child);
  if (server) await stop(server.child);
  rmSync(data, { recursive: true, force: true });
}

const summary = scenarios.map((s) => ({
  name: s.name,
  rps: median(s.runs.map((r) => r.rps)),
  p50: median(s.runs.map((r) => r.p50)),
  p99: median(s.runs.map((r) => r.p99)),
  cpuUs: median(s.runs.map((r) => r.cpuUs)),
  bad: s.runs.reduce((a, r) => a + r.bad, 0),
  runs: s.runs,
}));
const base = summary[0];
const rows = [['scenario', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'non-2xx', 'req/s vs baseline']];
for (const r of summary) rows.push([r.name, r.rps.toFixed(0), String(r.p50), String(r.p99), r.cpuUs.toFixed(0), String(r.bad), `${((100 * r.rps) / base.rps).toFixed(0)} %`]);
const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
process.stdout.write(`\n${CONNECTIONS} connections, ${SECONDS} s per measurement, median of ${ROUNDS} interleaved rounds (commit: 1), Node ${process.version}\n\n`);
for (const r of rows) process.stdout.write(`${r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')}\n`);
const [, , fullBytes, leanBytes, full, lean] = summary;
const perRound = (s) => s.runs.map((r, i) => (r.rps / base.runs[i].rps).toFixed(2)).join(', ');
process.stdout.write(`
evaluate full / baseline: ${(full.rps / base.rps).toFixed(2)} (rounds: ${perRound(full)}), p99 ${full.p99} ms
evaluate lean / baseline: ${(lean.rps / base.rps).toFixed(2)} (rounds: ${perRound(lean)}), p99 ${lean.p99} ms
targets: >= 0.60 and p99 < 20 ms
same bytes, no work (ceiling for the response size): full ${(fullBytes.rps / base.rps).toFixed(2)}, lean ${(leanBytes.rps / base.rps).toFixed(2)} of baseline
`);
