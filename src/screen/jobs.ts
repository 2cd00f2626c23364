/**
 * Screening jobs (`POST /v1/screenings`): the input is stored with the job, the results are stored
 * a chunk of lines at a time (each chunk and the job's progress in one transaction), so a job cut
 * off by a restart keeps its partial results and continues after its last stored line.
 *
 * Who runs a job: on SQLite, the one `aidr serve` instance, in order of submission; a job found
 * `running` when the service starts was cut off and is marked `interrupted` (resume it with
 * `POST /v1/screenings/{id}/resume`). On PostgreSQL, pg-boss 10 (its own schema, `pgboss`): each
 * job is claimed by exactly one instance (SKIP LOCKED), and when that instance dies the job
 * expires and pg-boss hands it to another, which continues after the last stored chunk.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { RegimeId } from '../contract/determination.js';
import type { EvalOptions } from '../engine/context.js';
import { transaction, type Store } from '../store/open.js';
import { big } from '../ledger/amount.js';
import { NO_LEDGER } from './evaluate.js';
import type { ScreenRow } from './format.js';
import { openInput, type InputFormat } from './read.js';
import { screenInput } from './run.js';
import type { RowMeta } from './screener.js';
import { storeLedger, storeParties } from './sources.js';
import { SummaryBuilder, type Summary } from './summary.js';

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'interrupted';

export interface JobOptions {
  asOf?: string;
  interpretations?: Record<string, string>;
  sensitivity?: boolean;
  /** The regime the main columns answer (default codified). */
  regime?: RegimeId;
  sheet?: string;
  /** Read the stored ledger (default true). */
  ledger?: boolean;
}

export interface Job {
  id: string;
  state: JobState;
  actor: string;
  createdAt: string;
  updatedAt: string;
  inputFormat: InputFormat;
  inputBytes: number;
  rowsDone: number;
  rowsInvalid: number;
  lastLine: number;
  options: JobOptions;
  summary?: Summary;
  error?: string;
}

/** Lines per stored chunk (and per progress update). */
export const CHUNK = 1000;

type JobRow = { id: string; state: string; actor: string; created_at: string; updated_at: string; input_format: string; options: string; input_bytes: unknown; rows_done: unknown; rows_invalid: unknown; last_line: unknown; summary: string | null; error: string | null };

function fromRow(r: JobRow): Job {
  const j: Job = {
    id: r.id, state: r.state as JobState, actor: r.actor, createdAt: r.created_at, updatedAt: r.updated_at, inputFormat: r.input_format as InputFormat,
    inputBytes: Number(big(r.input_bytes as bigint)), rowsDone: Number(big(r.rows_done as bigint)), rowsInvalid: Number(big(r.rows_invalid as bigint)),
    lastLine: Number(big(r.last_line as bigint)), options: JSON.parse(r.options) as JobOptions,
  };
  if (r.summary) j.summary = JSON.parse(r.summary) as Summary;
  if (r.error) j.error = r.error;
  return j;
}

const COLUMNS = ['id', 'state', 'actor', 'created_at', 'updated_at', 'input_format', 'options', 'input_bytes', 'rows_done', 'rows_invalid', 'last_line', 'summary', 'error'] as const;

export async function createJob(store: Store, input: Buffer, format: InputFormat, options: JobOptions, actor: string): Promise<Job> {
  const at = new Date().toISOString();
  const id = randomUUID();
  await store.db.insertInto('screening_jobs').values({
    id, state: 'queued', actor, created_at: at, updated_at: at, input_format: format, options: JSON.stringify(options), input, input_bytes: BigInt(input.length),
    rows_done: 0n, rows_invalid: 0n, last_line: 0n, chunks: 0n, summary: null, error: null, owner: null,
  }).execute();
  return (await getJob(store, id))!;
}

export async function getJob(store: Store, id: string): Promise<Job | undefined> {
  const r = await store.db.selectFrom('screening_jobs').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r as JobRow) : undefined;
}

export async function setState(store: Store, id: string, state: JobState, extra: { error?: string | null; owner?: string | null } = {}): Promise<void> {
  await store.db.updateTable('screening_jobs').set({ state, updated_at: new Date().toISOString(), ...extra }).where('id', '=', id).execute();
}

/** States a job no longer changes in by itself (an interrupted one waits for a resume). */
const FINISHED = ['done', 'failed', 'interrupted'] as const;

/**
 * Delete one finished job and its results: true if deleted, false if there is no such job; a job
 * queued or running is not deleted ('busy').
 */
export async function deleteJob(store: Store, id: string): Promise<boolean | 'busy'> {
  const job = await getJob(store, id);
  if (!job) return false;
  if (!(FINISHED as readonly string[]).includes(job.state)) return 'busy';
  await transaction(store, async (trx) => {
    await trx.deleteFrom('screening_chunks').where('job_id', '=', id).execute();
    await trx.deleteFrom('screening_jobs').where('id', '=', id).where('state', 'in', [...FINISHED]).execute();
  });
  return true;
}

/** Delete the finished jobs last changed before `before` (an ISO time), with their results; how many. */
export async function purgeJobs(store: Store, before: string): Promise<number> {
  const old = await store.db.selectFrom('screening_jobs').select('id').where('state', 'in', [...FINISHED]).where('updated_at', '<', before).execute();
  for (const r of old) await deleteJob(store, r.id);
  return old.length;
}

/** Jobs left `running` by a process that is gone (SQLite: the only one): interrupted, partial results kept. */
export async function markInterrupted(store: Store): Promise<number> {
  const r = await store.db.updateTable('screening_jobs').set({ state: 'interrupted', updated_at: new Date().toISOString() }).where('state', '=', 'running').executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0);
}

/** The stored result rows of a job, in line order, a chunk at a time (JSON text of each ScreenRow). */
export async function* resultLines(store: Store, id: string): AsyncGenerator<string> {
  let after = -1n;
  for (;;) {
    const chunks = await store.db.selectFrom('screening_chunks').select(['chunk', 'rows']).where('job_id', '=', id).where('chunk', '>', after).orderBy('chunk').limit(20).execute();
    for (const c of chunks) {
      for (const line of c.rows.split('\n')) if (line) yield line;
      after = big(c.chunk as bigint);
    }
    if (chunks.length < 20) return;
  }
}

/** A stored row, as the summary counts it. */
function metaOf(row: ScreenRow): RowMeta {
  const d = row.determination;
  if (!d) return { line: row.line, ...(row.id ? { id: row.id } : {}), errors: row.errors ?? [] };
  return {
    line: row.line, ...(row.id ? { id: row.id } : {}), outcome: d.outcome, ...(row.destination ? { to: row.destination } : {}), exception: row.exception ?? null,
    eligible: d.exceptions.filter((e) => e.status === 'eligible').map((e) => e.code), missing: d.missingFacts.map((m) => m.path), normalized: row.notes.length > 0,
  };
}

/**
 * Run (or continue) a job: screen its input after its last stored line, storing each chunk with
 * the job's progress; at the end, the summary over every stored row.
 */
export async function runJob(store: Store, id: string, owner: string, maxRows = Infinity): Promise<void> {
  const job = await store.db.selectFrom('screening_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!job || job.state === 'done' || job.state === 'failed') return;
  await setState(store, id, 'running', { owner, error: null });
  const opts = JSON.parse(job.options) as JobOptions;
  const evalOpts: EvalOptions = { explain: false, ...(opts.asOf ? { asOf: opts.asOf } : {}), ...(opts.interpretations ? { interpretations: opts.interpretations } : {}), ...(opts.sensitivity ? { sensitivity: true } : {}), ...(opts.regime ? { regime: opts.regime } : {}) };
  const skip = Number(big(job.last_line));
  let chunk = Number(big(job.chunks));
  try {
    // The lines already stored are read again and evaluated for the running totals only (replayThroughLine).
    const input = await openInput(Readable.from([Buffer.from(job.input)]), { format: job.input_format as InputFormat, ...(opts.sheet ? { sheet: opts.sheet } : {}) });
    const source = opts.ledger === false ? NO_LEDGER : await storeLedger(store);
    const parties = await storeParties(store);
    let lines: string[] = [];
    let first = 0;
    let last = 0;
    let invalid = 0;
    let seen = Number(big(job.rows_done));
    const flush = async () => {
      if (!lines.length) return;
      const rows = `${lines.join('')}`;
      const n = lines.length;
      const bad = invalid;
      const c = chunk++;
      await transaction(store, async (trx) => {
        await trx.insertInto('screening_chunks').values({ job_id: id, chunk: BigInt(c), first_line: BigInt(first), last_line: BigInt(last), rows }).onConflict((oc) => oc.columns(['job_id', 'chunk']).doNothing()).execute();
        await trx.updateTable('screening_jobs').set((eb) => ({
          rows_done: eb('rows_done', '+', BigInt(n)), rows_invalid: eb('rows_invalid', '+', BigInt(bad)), last_line: BigInt(last), chunks: BigInt(chunk), updated_at: new Date().toISOString(),
        })).where('id', '=', id).execute();
      });
      lines = [];
      invalid = 0;
    };
    for await (const p of screenInput(input, { config: { eval: evalOpts, output: 'jsonl', ...(skip ? { replayThroughLine: skip } : {}) }, jobs: 1, ledger: opts.ledger !== false, parties: !!parties, source, ...(parties ? { partyLookup: parties } : {}) })) {
      if (++seen > maxRows) throw new Error(`the order book has more than ${maxRows} lines, the most this service screens in one job (AIDR_SCREENING_MAX_ROWS); the results of the first ${maxRows} are kept`);
      if (!lines.length) first = p.line;
      last = p.line;
      lines.push(p.out as string);
      if (p.meta?.errors) invalid++;
      if (lines.length >= CHUNK) {
        await flush();
        // Let the service answer requests between chunks.
        await new Promise((r) => setImmediate(r));
      }
    }
    await flush();
    const summary = new SummaryBuilder(`job ${id}`, job.input_format, source.description);
    for await (const line of resultLines(store, id)) summary.add(metaOf(JSON.parse(line) as ScreenRow));
    await store.db.updateTable('screening_jobs').set({ state: 'done', summary: JSON.stringify(summary.finish()), updated_at: new Date().toISOString() }).where('id', '=', id).execute();
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    await setState(store, id, 'failed', { error: message.slice(0, 2000) });
  }
}

/** The jobs of one `aidr serve`: SQLite runs them itself, one at a time; PostgreSQL through pg-boss. */
export interface JobRunner {
  submit(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  stop(): Promise<void>;
}

export interface RunnerOptions {
  /** PostgreSQL: the database URL for pg-boss (default DATABASE_URL). */
  databaseUrl?: string;
  /** PostgreSQL: how long a claimed job may run before pg-boss hands it to another instance (default 900 s). */
  expireInSeconds?: number;
  maxRows?: number;
}

export async function startRunner(store: Store, opts: RunnerOptions = {}): Promise<JobRunner> {
  const owner = randomUUID();
  const maxRows = opts.maxRows ?? Infinity;
  if (store.dialect === 'postgres') return pgBossRunner(store, owner, opts, maxRows);
  await markInterrupted(store);
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const enqueue = (id: string) => {
    running = running.then(() => (stopped ? undefined : runJob(store, id, owner, maxRows)));
    return Promise.resolve();
  };
  // Jobs queued before a restart.
  for (const r of await store.db.selectFrom('screening_jobs').select('id').where('state', '=', 'queued').orderBy('created_at').execute()) void enqueue(r.id);
  return {
    submit: enqueue,
    resume: async (id) => {
      await setState(store, id, 'queued');
      await enqueue(id);
    },
    stop: async () => {
      stopped = true;
    },
  };
}

const QUEUE = 'aidr-screening';

async function pgBossRunner(store: Store, owner: string, opts: RunnerOptions, maxRows: number): Promise<JobRunner> {
  const { default: PgBoss } = await import('pg-boss');
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (!url) throw new Error('aidr: screening jobs on PostgreSQL need the database URL');
  // One pg-boss schema per aidr schema: instances serving another aidr schema never take these jobs.
  const aidrSchema = /\(schema ([a-z0-9_]+)\)$/.exec(store.location)?.[1];
  const schema = process.env.AIDR_PGBOSS_SCHEMA ?? `pgboss${aidrSchema ? `_${aidrSchema}` : ''}`;
  const expireInSeconds = opts.expireInSeconds ?? 900;
  const boss = new PgBoss({ connectionString: url, schema, max: 2 });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue(QUEUE).catch(() => undefined);
  await boss.work<{ id: string }>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (job) await runJob(store, job.data.id, owner, maxRows);
  });
  const send = async (id: string) => {
    await boss.send(QUEUE, { id }, { singletonKey: id, retryLimit: 10, retryDelay: 1, expireInSeconds });
  };
  return {
    submit: send,
    resume: async (id) => {
      await setState(store, id, 'queued');
      await send(id);
    },
    stop: () => boss.stop({ graceful: true, wait: false }),
  };
}
