// npm run bench:screen: an order book of 1,000,000 mixed lines (bench/orders.mjs) screened with
// bin/aidr as a user runs it: CSV → CSV and CSV → JSON Lines, with --jobs 1 and --jobs 2; then
// 5,000,000 lines CSV → CSV with --jobs 2 (memory must not grow with the input), and `aidr check
// --lean` on a 1,000,000-element JSON array. For each: wall time, lines per second, peak RSS of
// the process (VmHWM: every thread of it), and the machine's load average when it ran. Before the
// first run and after the last, two fixed single-thread workloads are timed (`reference`): the
// machine's speed moves about twofold within a day, and their times say how fast it ran then.
//
//   BENCH_LINES=200000 BENCH_LARGE=0 node bench/screen.mjs    # quicker
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOrders } from './orders.mjs';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const LARGE = process.env.BENCH_LARGE === '0' ? 0 : Number(process.env.BENCH_LARGE_LINES ?? 5_000_000);
const root = new URL('..', import.meta.url).pathname;
const aidr = join(root, 'bin', 'aidr');
const dir = mkdtempSync(join(tmpdir(), 'aidr-bench-screen-'));

function peakKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system, every thread) the process has used so far. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Run bin/aidr, polling its peak RSS and CPU time; stdout to a file. */
function run(args, stdoutFile) {
  return new Promise((resolve, reject) => {
    const load = loadavg()[0];
    const start = performance.now();
    const out = stdoutFile ? createWriteStream(stdoutFile) : 'ignore';
    const child = spawn(aidr, args, { cwd: dir, stdio: ['ignore', stdoutFile ? 'pipe' : 'ignore', 'pipe'], env: { ...process.env, DATABASE_URL: '', AIDR_DATA_DIR: join(dir, 'none') } });
    if (stdoutFile) child.stdout.pipe(out);
    let peak = 0;
    let cpu = 0;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const t = setInterval(() => {
      peak = Math.max(peak, peakKb(child.pid));
      cpu = Math.max(cpu, cpuSeconds(child.pid));
    }, 50);
    child.on('exit', (code) => {
      clearInterval(t);
      const seconds = (performance.now() - start) / 1000;
      if (code !== 0 && code !== 3) return reject(new Error(`aidr ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ seconds, cpu, peakMb: Math.round(peak / 1024), load: Math.max(load, loadavg()[0]), stderr });
    });
  });
}

/**
 * The machine's speed now: seconds two fixed workloads of plain JavaScript take on one thread, best
 * of three each: arithmetic in a loop, and small objects built, kept in a Map and turned to JSON
 * (memory and the garbage collector, as screening uses them). The same work every run: runs whose
 * reference took the same time compare; a slower reference means a slower machine, not a slower aidr.
 */
const REFERENCE = {
  arithmetic: 'let s = 0; for (let i = 0; i < 3e8; i++) s += i % 7; if (s < 0) console.log(s);',
  objects: "const m = new Map(); let t = 0; for (let r = 0; r < 10; r++) { for (let i = 0; i < 200000; i++) { const k = 'k' + ((i * 7919) % 100000); m.set(k, { a: i, b: k, c: [i, r] }); } for (const v of m.values()) t += JSON.stringify(v).length; } if (t < 0) console.log(t);",
};
function reference() {
  const out = {};
  for (const [name, code] of Object.entries(REFERENCE)) {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const r = spawnSync(process.execPath, ['-e', code]);
      if (r.status !== 0) throw new Error(`reference ${name} failed: ${r.stderr}`);
      best = Math.min(best, (performance.now() - start) / 1000);
    }
    out[name] = Math.round(best * 100) / 100;
  }
  return out;
}
const referenceText = (r) => `arithmetic ${r.arithmetic} s, objects ${r.objects} s`;

const results = [];
function report(label, lines, r) {
  const perSecond = Math.round(lines / r.seconds);
  const perCpu = r.cpu > 0 ? Math.round(lines / r.cpu) : 0;
  results.push({ label, lines, seconds: Math.round(r.seconds * 10) / 10, linesPerSecond: perSecond, cpuSeconds: r.cpu, linesPerCpuSecond: perCpu, peakRssMb: r.peakMb, loadAverage: Math.round(r.load * 100) / 100 });
  console.log(`${label.padEnd(44)} ${String(lines).padStart(9)} lines ${r.seconds.toFixed(1).padStart(7)} s ${String(perSecond).padStart(8)} lines/s ${String(perCpu).padStart(8)} per CPU-s  peak RSS ${String(r.peakMb).padStart(4)} MB  (load ${r.load.toFixed(2)})`);
}

const referenceBefore = reference();
console.log(`reference workloads (one thread, lower is faster): ${referenceText(referenceBefore)}`);
console.log(`node ${process.version}; generating ${LINES.toLocaleString('en-US')} order lines…`);
await writeOrders(join(dir, 'orders.csv'), LINES, 7);
console.log(`orders.csv: ${(statSync(join(dir, 'orders.csv')).size / 1e6).toFixed(0)} MB`);
for (const [out, jobs] of [['out.csv', 1], ['out.csv', 2], ['out.jsonl', 1], ['out.jsonl', 2]]) {
  const r = await run(['screen', 'orders.csv', '-o', out, '--jobs', String(jobs), '--no-ledger']);
  report(`screen CSV → ${out.endsWith('csv') ? 'CSV' : 'JSON Lines'}, --jobs ${jobs}`, LINES, r);
}
rmSync(join(dir, 'out.jsonl'), { force: true });
if (LARGE) {
  await writeOrders(join(dir, 'large.csv'), LARGE, 8);
  const r = await run(['screen', 'large.csv', '-o', 'large-out.csv', '--jobs', '2', '--no-ledger']);
  report('screen CSV → CSV, --jobs 2 (memory)', LARGE, r);
  rmSync(join(dir, 'large.csv'), { force: true });
  rmSync(join(dir, 'large-out.csv'), { force: true });
}
// aidr check on a 1,000,000-element array (lean output, to /dev/null).
{
  const n = LINES;
  const file = createWriteStream(join(dir, 'array.json'));
  file.write('[');
  for (let i = 0; i < n; i++) {
    const tx = { id: `T-${i}`, date: '2025-06-02', to: i % 3 ? 'BR' : 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 1 + (i % 50), consignee: { id: `c-${i % 5000}`, country: i % 3 ? 'BR' : 'DE', headquarters: 'US', ultimateParentHeadquarters: 'US' } };
    if (!file.write(`${i ? ',' : ''}${JSON.stringify(tx)}`)) await new Promise((res) => file.once('drain', res));
  }
  await new Promise((res) => file.end(']', res));
  const r = await run(['check', 'array.json', '--lean', '--no-ledger']);
  report('check --lean, one JSON array', n, r);
}
const referenceAfter = reference();
console.log(`reference workloads: before ${referenceText(referenceBefore)}; after ${referenceText(referenceAfter)}`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/screen.json', import.meta.url), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, referenceSeconds: { before: referenceBefore, after: referenceAfter }, results }, null, 2)}\n`);
const csv2 = results.find((x) => x.label.startsWith('screen CSV → CSV, --jobs 2') && x.lines === LINES);
const peak = Math.max(...results.filter((x) => x.label.startsWith('screen')).map((x) => x.peakRssMb));
console.log(`targets: ≥ 100,000 lines/s with 2 jobs to CSV (${csv2 && csv2.linesPerSecond >= 100_000 ? 'met' : 'NOT met'}), peak RSS < 400 MB (${peak < 400 ? 'met' : 'NOT met'})`);
rmSync(dir, { recursive: true, force: true });
