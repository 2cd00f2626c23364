/**
 * A screening run: records from the input, screened in batches, rows out in input order.
 *
 * With one job the work happens on this thread. With several, each job is a worker thread
 * (node:worker_threads, batches of `BATCH` records: a message per row would cost more than the
 * row) and every line of one ultimate consignee goes to the same worker, in file order, so the
 * per-consignee running totals of the batch (LPP, AIA) are exact without any sharing between
 * threads (under INT-39 operator a file that names end users goes to one worker: `oneWorkerReason`);
 * the results of each batch are put back in line order before they are yielded. Reading
 * stops while `jobs + 2` batches are in flight (every batch gives each worker its part, so each has
 * work queued), so memory stays flat whatever the input size.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseJsonExact } from '../contract/json.js';
import { defaultReading } from '../data/interpretations.js';
import { partyNamed } from '../parties/fill.js';
import { keyOrUndefined } from '../parties/key.js';
import type { StoreOptions } from '../store/open.js';
import { FIELDS, mapColumns } from './columns.js';
import { NO_LEDGER, type LedgerSource } from './evaluate.js';
import { oneByOne, type InputRecord, type OpenedInput } from './read.js';
import { flattenRecord, type PartyLookup } from './row.js';
import { Screener, type Processed, type ScreenerConfig } from './screener.js';
import type { SummaryBuilder, SummaryState } from './summary.js';
import type { WorkerInit } from './worker.js';
import { encodeRecords } from './wire.js';

export const BATCH = 1000;
/**
 * Lines per batch by output: about the same bytes in flight whatever the format. A JSON Lines row
 * is ~6 KB lean and ~20 KB with --full against ~0.6 KB for CSV; at 1,000 lines a batch of JSON
 * Lines held 6 MB, and the batches in flight (the workers' buffers, the merged copy, the one being
 * written, and those dead but not yet collected by this thread) took the 1,000,000-line benchmark
 * to 415–432 MB; at 250 lines it peaked at 365 MB, no slower.
 */
export function batchLines(config: ScreenerConfig): number {
  if (config.output !== 'jsonl') return BATCH;
  return config.eval.explain === false ? BATCH / 4 : BATCH / 10;
}
/** Old-generation heap of a worker thread (MB); see `pooled`. */
const WORKER_HEAP_MB = 96;
/**
 * Young generation of a worker thread (MB). A line allocates tens of kilobytes that die with it:
 * at 8 MB the worker ran a scavenge every hundred lines or so and spent a third of its time
 * collecting; at 24 MB it runs half as many (32 MB, a few fewer, cost the memory target its margin).
 */
const WORKER_YOUNG_MB = 24;
/**
 * Batches read ahead of the one being written: a batch's JSON Lines (lean) are ~5 MB, and with
 * 2 × jobs + 2 of them waiting the 1,000,000-line JSON Lines benchmark peaked over 400 MB.
 */
const MAX_IN_FLIGHT = (jobs: number) => jobs + 2;

export interface RunOptions {
  config: ScreenerConfig;
  /** Worker threads (1: this thread, unless `threads`). */
  jobs: number;
  /**
   * Screen in worker threads even with one job: this thread then only reads and writes, and the
   * screening's memory is the worker's bounded heap (the CLI does this; a library caller's thread
   * is its own to use).
   */
  threads?: boolean;
  /** The store to read the ledger and parties register from (absent: none). */
  store?: StoreOptions;
  ledger: boolean;
  parties: boolean;
  /** This thread's view of the same (jobs = 1, and routing by ultimate parent). */
  source?: LedgerSource;
  partyLookup?: PartyLookup;
  /** Every row is counted here (by this thread, or by the workers and merged at the end). */
  summary?: SummaryBuilder;
  /** Told once what the run does otherwise than asked (one worker instead of `jobs`: `oneWorkerReason`). */
  notice?: (message: string) => void;
}

/**
 * What to write: one row (`meta` is there when this thread screened it, jobs = 1), or, from the
 * workers, the text of `count` consecutive rows as one buffer.
 */
export interface Written {
  line: number;
  out: Processed['out'] | Buffer;
  meta?: Processed['meta'];
  count?: number;
}

/** The screened rows of an opened input, in input order. */
export async function* screenInput(input: OpenedInput, opts: RunOptions): AsyncGenerator<Written> {
  const config = { ...opts.config, ...(input.headers ? { headers: input.headers } : {}) };
  if (opts.jobs <= 1 && !opts.threads) {
    const screener = new Screener(config, opts.source ?? NO_LEDGER, opts.partyLookup);
    for await (const batch of batches(input, batchLines(config))) {
      for (const p of await screener.process(batch)) {
        opts.summary?.add(p.meta);
        yield p;
      }
    }
    return;
  }
  yield* pooled(input, { ...opts, config });
}

async function* batches(input: OpenedInput, size: number): AsyncGenerator<InputRecord[]> {
  let batch: InputRecord[] = [];
  // CSV hands its records on a read's worth at a time; other formats one by one.
  for await (const chunk of input.chunks ?? oneByOne(input.records)) {
    for (const r of chunk) {
      batch.push(r);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length) yield batch;
}

/** The worker's script: next to this module (tsc output), or dist/screen/worker.js from the CLI bundle. */
function workerUrl(): URL {
  for (const rel of ['./worker.js', '../screen/worker.js', './screen/worker.js']) {
    const u = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(u))) return u;
  }
  throw new Error('aidr: cannot find the screening worker (dist/screen/worker.js); run npm run build');
}

/**
 * `keyOrUndefined`, with an id that is its own key (printable ASCII, no capital, no space: NFKC,
 * trimming, spacing and case leave it as it is) taken without normalizing it: the normalization
 * (NFKC, regular expressions, lower case) cost the reading thread ~1,700 instructions a line.
 */
export function routeKey(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || (c >= 0x41 && c <= 0x5a)) return keyOrUndefined(s);
  }
  return s === '' ? undefined : s;
}

/**
 * Which worker a record goes to: by its ultimate consignee (ultimate parent, else the consignee),
 * as the ledger keys it: a party the register knows (by its id or an alias, or by its name when
 * the line gives no id) by the register's id, which the line's mapping puts in its place
 * (src/parties/fill.ts).
 */
function router(input: OpenedInput, opts: RunOptions): (r: InputRecord) => string | undefined {
  const lookup = opts.partyLookup;
  const registered = (k: string | undefined) => (k === undefined || lookup === undefined ? k : lookup(k)?.id ?? k);
  const pick = (parent: unknown, id: unknown, name: unknown) => {
    const i = typeof id === 'string' ? routeKey(id) : undefined;
    // A party named without an id: the register's party of that name, as the line's mapping finds it.
    const party = lookup === undefined ? undefined : i !== undefined ? lookup(i) : typeof name === 'string' ? partyNamed('', name, lookup) : undefined;
    const p = routeKey(typeof parent === 'string' ? parent : undefined) ?? routeKey(party?.ultimateParentId);
    return registered(p) ?? party?.id ?? i ?? (typeof name === 'string' ? routeKey(name) : undefined);
  };
  if (input.headers) {
    const cols = mapColumns(input.headers, opts.config.map);
    const at = (path: string) => cols.fields.findIndex((f) => f?.path === path);
    const [p, i, n] = [at('consignee.ultimateParentId'), at('consignee.id'), at('consignee.name')];
    return (r) => ('cells' in r ? pick(r.cells[p], r.cells[i], r.cells[n]) : undefined);
  }
  const jsonPaths = new Set(FIELDS.filter((f) => f.kind === 'json' || f.kind === 'list').map((f) => f.path));
  return (r) => {
    if (!('value' in r)) return undefined;
    const flat = flattenRecord(r.value, jsonPaths);
    if (!flat) return undefined;
    const cols = mapColumns(flat.headers, opts.config.map);
    const get = (path: string) => flat.cells[cols.fields.findIndex((f) => f?.path === path)];
    return pick(get('consignee.ultimateParentId'), get('consignee.id'), get('consignee.name'));
  };
}

/** The contract paths that name the end user (ledgerKeys: `endUser.id ?? endUser.name`). */
const END_USER_PATHS: ReadonlySet<string> = new Set(['endUser.id', 'endUser.name']);

/**
 * Why the run must be screened by one worker whatever `jobs` says, if it must. Under INT-39
 * operator (740.29(a), second sentence) a Supp. 5(a)-headquartered consignee's LPP draws count on
 * the operating end user's cap: which account a line draws on turns on the consignee's
 * headquarters (the line's or the register's, as a country) and the date, known only once the line
 * is mapped, so no routing by a cell can send every line of one account to one worker (red team 3,
 * D2: the crossing line was missed with two workers). An input whose columns name no end user
 * cannot take the option, and is routed as usual.
 */
export function oneWorkerReason(input: OpenedInput, opts: Pick<RunOptions, 'config'>): string | undefined {
  if ((opts.config.eval.interpretations?.['INT-39'] ?? defaultReading('INT-39')) !== 'operator') return undefined;
  if (input.headers && !mapColumns(input.headers, opts.config.map).fields.some((f) => f !== undefined && END_USER_PATHS.has(f.path))) return undefined;
  return 'INT-39=operator: a Supp. 5(a)-headquartered consignee\'s LPP draws count on the operating end user\'s cap, and which cap a line draws on is known only once the line is read; the file is screened by one worker thread (as --jobs 1), so that every line of one cap is added up in file order';
}

/** The rows of a batch's parts in line order: each part is in line order already. */
function* merged(parts: Part[]): Generator<Written> {
  const at = parts.map(() => 0);
  const text = parts.every((p) => p.bytes);
  const pieces: Uint8Array[] = [];
  let first = -1;
  let count = 0;
  for (;;) {
    let best = -1;
    for (let k = 0; k < parts.length; k++) if (at[k]! < parts[k]!.lines.length && (best < 0 || parts[k]!.lines[at[k]!]! < parts[best]!.lines[at[best]!]!)) best = k;
    if (best < 0) break;
    const p = parts[best]!;
    const i = at[best]!++;
    if (!text) {
      yield { line: p.lines[i]!, out: p.outs![i]! };
      continue;
    }
    if (first < 0) first = p.lines[i]!;
    pieces.push(p.bytes!.subarray(i === 0 ? 0 : p.ends![i - 1]!, p.ends![i]!));
    count++;
  }
  if (text && count) yield { line: first, out: Buffer.concat(pieces), count };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A batch in flight: its parts from each worker (rows as objects, or as one buffer with each row's end). */
interface Part { lines: ArrayLike<number>; outs?: Processed['out'][]; bytes?: Uint8Array; ends?: ArrayLike<number> }
interface Pending { parts: number; got: Part[] }

async function* pooled(input: OpenedInput, opts: RunOptions): AsyncGenerator<Written> {
  const single = opts.jobs > 1 ? oneWorkerReason(input, opts) : undefined;
  if (single !== undefined) opts.notice?.(single);
  const n = single === undefined ? Math.max(1, opts.jobs) : 1;
  const init: WorkerInit = { config: opts.config, ...(opts.store ? { store: opts.store } : {}), ledger: opts.ledger, parties: opts.parties };
  const url = workerUrl();
  // A worker's live data is a batch in flight and its consignees' running totals: a bounded heap
  // makes V8 collect early instead of growing, which keeps the process's memory flat.
  const workers = Array.from({ length: n }, () => new Worker(url, { workerData: init, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } }));
  const pending = new Map<number, Pending>();
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const ready = workers.map((w) => new Promise<void>((resolve) => {
    w.on('message', (m: { ready?: boolean; seq?: number; lines?: ArrayLike<number>; outs?: Processed['out'][]; bytes?: Uint8Array; ends?: ArrayLike<number>; summary?: SummaryState; error?: string }) => {
      if (m.ready) return resolve();
      if (m.error !== undefined) failure ??= new Error(`aidr: a screening worker failed: ${m.error}`);
      else if (m.summary) {
        opts.summary?.merge(m.summary);
        finished++;
      } else {
        const p = pending.get(m.seq!)!;
        p.got.push({ lines: m.lines!, ...(m.outs ? { outs: m.outs } : {}), ...(m.bytes ? { bytes: m.bytes, ends: m.ends! } : {}) });
        p.parts--;
      }
      notify();
      resolve();
    });
    w.on('error', (e) => {
      failure ??= e;
      notify();
      resolve();
    });
  }));
  const route = router(input, opts);
  let rr = 0;
  let finished = 0;
  let seq = 0;
  let next = 0;
  const inFlight = () => seq - next;
  const wait = () => new Promise<void>((resolve) => {
    wake = resolve;
  });
  async function* drain(all: boolean): AsyncGenerator<Written> {
    for (;;) {
      if (failure) throw failure;
      const p = pending.get(next);
      if (p && p.parts === 0) {
        pending.delete(next++);
        yield* merged(p.got);
        continue;
      }
      if (next === seq || (!all && inFlight() < MAX_IN_FLIGHT(n))) return;
      await wait();
    }
  }
  try {
    await Promise.all(ready);
    if (failure) throw failure;
    for await (const batch of batches(input, batchLines(opts.config))) {
      const parts: InputRecord[][] = Array.from({ length: n }, () => []);
      for (const r of batch) {
        const key = route(r);
        parts[key === undefined ? rr++ % n : hash(key) % n]!.push(r);
      }
      const used = parts.filter((p) => p.length > 0).length;
      pending.set(seq, { parts: used, got: [] });
      parts.forEach((records, i) => {
        if (!records.length) return;
        const wire = encodeRecords(records);
        workers[i]!.postMessage({ seq, records: wire }, [wire.lines.buffer, wire.counts.buffer, wire.ends.buffer] as ArrayBuffer[]);
      });
      seq++;
      yield* drain(false);
    }
    yield* drain(true);
    // Every worker's counts, for the summary.
    workers.forEach((w) => w.postMessage({ seq: -1, finish: true }));
    while (finished < n) {
      if (failure) throw failure;
      await wait();
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** A JSON --map file: { "Customer Header": "consignee.id", … }. */
export function parseMap(text: string): Record<string, string> {
  const v = parseJsonExact(text);
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new Error('expected a JSON object of "your header": "aidr column or contract path"');
  }
  return v as Record<string, string>;
}
