// Instructions per HTTP evaluate request in `aidr serve`, which the machine's load does not change
// (timings on a shared machine do): node bench/api-instructions.mjs <checkout> <lean|full>
// [connections=8] [warm-up=3000] [N=2000]. The server runs as bench:api runs it (--auth, pino
// request logs at info to /dev/null, metrics, SQLite) but under valgrind's callgrind (node
// --single-threaded), driven from this process by autocannon: W requests of warm-up, counters
// zeroed, N requests, counters dumped. What is counted is the server's user-space work (its
// checkpoint thread included); the kernel's (socket reads and writes) is not, nor are cache misses,
// so a change that helps through either (e.g. src/api/ledger-snapshot.ts running a turn's
// evaluations together) shows in CPU time, not here. Slow: several minutes on a busy machine.
// Warm up well (10,000): with 2,000 the count was ~50 % higher. For an A/B, run it against another
// checkout (or a copy with its own dist/ and bin/) with the same arguments, more than once: JIT
// decisions move it between runs. KEEP=<file> keeps the callgrind output.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';

const [checkout, mode = 'lean', conns = '8', warm = '3000', n = '2000'] = process.argv.slice(2);
const root = resolve(checkout);
const example = readFileSync(join(root, 'examples/h100-germany.json'), 'utf8');
const body = mode === 'lean' ? JSON.stringify({ transaction: JSON.parse(example), options: { explain: false } }) : example;
const data = mkdtempSync(join(tmpdir(), 'aidr-api-instr-'));
const env = { ...process.env, AIDR_DATA_DIR: data, DATABASE_URL: '', AIDR_SIGNING_KEY: '' };
const key = execFileSync(join(root, 'bin/aidr'), ['keys', 'create', '--role', 'officer', '--name', 'bench'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const out = join(data, 'cg.out');
const server = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, '--dump-instr=no', '--collect-jumps=no',
  process.execPath, '--single-threaded', join(root, 'bin/aidr'), 'serve', '--port', '0', '--auth', '--log-level', 'info'], { env, stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'] });
try {
  const url = await new Promise((res, rej) => {
    let err = '';
    server.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) res(m[1]);
    });
    server.on('exit', (code) => rej(new Error(`the server exited ${code}: ${err}`)));
  });
  const opts = { url: `${url}/v1/determinations`, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body, connections: Number(conns), timeout: 60 };
  const run = async (amount) => {
    const r = await autocannon({ ...opts, amount });
    if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  };
  await run(Number(warm));
  execFileSync('callgrind_control', ['-z', String(server.pid)], { stdio: 'ignore' });
  await run(Number(n));
  execFileSync('callgrind_control', ['-d', String(server.pid)], { stdio: 'ignore' });
  const dump = readdirSync(data).filter((f) => f.startsWith('cg.out.')).sort()[0];
  const ir = Number(/^summary:\s+(\d+)/m.exec(readFileSync(join(data, dump), 'utf8'))[1]);
  if (process.env.KEEP) execFileSync('cp', [join(data, dump), process.env.KEEP]);
  console.log(`${root} ${mode}, ${conns} connections: ${ir} instructions for ${n} requests (warm-up ${warm}): ${Math.round(ir / Number(n))} per request`);
} finally {
  server.removeAllListeners('exit');
  server.kill('SIGKILL');
  await new Promise((r) => server.once('exit', r));
  rmSync(data, { recursive: true, force: true });
}
