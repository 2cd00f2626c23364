// Driven by bench/screen-instructions.sh (not run alone). Two parts of `aidr screen`, each alone:
//
//   worker: what a screening worker does per order line, in process: the batch's records decoded
//     from the wire form, mapped, evaluated (Screener, output csv or jsonl, no ledger), the row's
//     text added to the batch's buffer (RowBytes) and counted for the summary;
//   main:   what the reading thread does per line, without the screening: the CSV read from a
//     file (openInput), each record routed to a worker (the ultimate consignee's key, hashed, as
//     run.ts's `router` does: a copy here, since it is not exported) and encoded for it.
//
// The warm-up (WARM lines, default 100,000) is long enough that the per-customer caches are as full
// as they are on average over a 1,000,000-line run (20,000 customers over two years: after 100,000
// lines about 1 line in 15 is a customer-year not seen before, over 1,000,000 lines 1 in 25).
// Warms up over WARM lines, signals, waits while the counters are zeroed, screens N lines,
// signals, waits while they are dumped (Atomics.wait: next to no instructions while waiting).
// Usage (via the .sh): node bench/screen-instructions.mjs <dist dir> <worker|main> <csv|jsonl> <N> <signals dir>
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOrders } from './orders.mjs';

const [dist, part, output, n, signals] = process.argv.slice(2);
const N = Number(n);
const WARM = Number(process.env.WARM ?? 100000);
const mod = (p) => import(new URL(`../${dist}/${p}`, import.meta.url).href);
const cell = new Int32Array(new SharedArrayBuffer(4));
const wait = (file) => { while (!existsSync(file)) Atomics.wait(cell, 0, 0, 50); };
const BATCH = 1000;

const dir = mkdtempSync(join(tmpdir(), 'aidr-screen-instr-'));
// The warm-up's lines and the measured lines are different lines of one order book.
const file = join(dir, 'orders.csv');
await writeOrders(file, WARM + N, 7);
const { openInput } = await mod('screen/read.js');

/** Every record of an opened file, in batches of BATCH (from its chunks when the build offers them, as run.ts reads them). */
async function* batches(opened) {
  let b = [];
  if (opened.chunks) {
    for await (const chunk of opened.chunks) {
      for (const r of chunk) {
        b.push(r);
        if (b.length >= BATCH) { yield b; b = []; }
      }
    }
  } else {
    for await (const r of opened.records) {
      b.push(r);
      if (b.length >= BATCH) { yield b; b = []; }
    }
  }
  if (b.length) yield b;
}

if (part === 'worker') {
  const { Screener } = await mod('screen/screener.js');
  const { NO_LEDGER } = await mod('screen/evaluate.js');
  const { SummaryBuilder } = await mod('screen/summary.js');
  const { encodeRecords, decodeRecords, RowBytes } = await mod('screen/wire.js');
  const opened = await openInput(file);
  // Each batch as it crosses to a worker, its text kept off the heap until its turn: a worker holds
  // one batch at a time, and a heap holding them all would collect differently.
  const all = [];
  for await (const b of batches(opened)) {
    const wire = encodeRecords(b);
    all.push({ ...wire, text: Buffer.from(wire.text, 'utf8') });
  }
  const received = (w) => ({ ...w, text: w.text.toString('utf8') });
  const screener = new Screener({ eval: { explain: false }, output, headers: opened.headers }, NO_LEDGER);
  const summary = new SummaryBuilder('', '', '');
  let bytesPerRow = 512;
  const screen = async (wire) => {
    const count = wire.lines.length;
    const rows = new RowBytes(count, Math.ceil(bytesPerRow * count * 1.25));
    // As worker.ts: the rows written into `rows` (a build whose Screener does not take it returns each row's text).
    await screener.each(decodeRecords(wire), (p) => {
      if (p.out) rows.add(p.line, p.out);
      summary.add(p.meta);
    }, rows);
    bytesPerRow = rows.size / count;
    rows.message();
  };
  const warmBatches = Math.ceil(WARM / BATCH);
  for (let i = 0; i < warmBatches; i++) await screen(received(all[i]));
  writeFileSync(`${signals}/warm`, '');
  wait(`${signals}/go`);
  for (let i = warmBatches; i < all.length; i++) await screen(received(all[i]));
  writeFileSync(`${signals}/done`, '');
  wait(`${signals}/exit`);
} else {
  const { encodeRecords } = await mod('screen/wire.js');
  const { mapColumns } = await mod('screen/columns.js');
  // The build's routing key when it has one of its own (run.ts's routeKey), else the normalization.
  const { routeKey } = await mod('screen/run.js');
  const keyOrUndefined = routeKey ?? (await mod('parties/key.js')).keyOrUndefined;
  const hash = (s) => {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return h >>> 0;
  };
  const read = async (path, lines) => {
    const opened = await openInput(path);
    const cols = mapColumns(opened.headers);
    const at = (p) => cols.fields.findIndex((f) => f?.path === p);
    const [p, i, nm] = [at('consignee.ultimateParentId'), at('consignee.id'), at('consignee.name')];
    const pick = (parent, id, name) => keyOrUndefined(parent) ?? (typeof id === 'string' ? keyOrUndefined(id) : undefined) ?? keyOrUndefined(name);
    let sink = 0;
    for await (const b of batches(opened)) {
      const parts = [[], []];
      for (const r of b) {
        const key = pick(r.cells[p], r.cells[i], r.cells[nm]);
        parts[key === undefined ? 0 : hash(key) % 2].push(r);
      }
      for (const x of parts) if (x.length) sink += encodeRecords(x).text.length;
    }
    return sink + lines;
  };
  // The warm-up reads a file of its own (the measured one is read whole, from its header).
  const warmFile = join(dir, 'warm.csv');
  await writeOrders(warmFile, WARM, 8);
  await read(warmFile, WARM);
  await writeOrders(file, N, 7);
  writeFileSync(`${signals}/warm`, '');
  wait(`${signals}/go`);
  await read(file, N);
  writeFileSync(`${signals}/done`, '');
  wait(`${signals}/exit`);
}

