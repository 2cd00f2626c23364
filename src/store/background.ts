/**
 * SQLite work that runs in a worker thread, off the event loop:
 *
 * - **Is the file really usable?** (`/readyz`.) The process's own connections keep pages in
 *   memory: a file damaged or replaced on disk goes unnoticed by them ("select 1" succeeds on a
 *   file that is no longer a database). So the check runs on a fresh read-only connection:
 *   every time, open the file and read the audit log's head (a file that is not a database, or
 *   whose schema is unreadable, fails here); at most every `intervalMs`, `PRAGMA quick_check`
 *   (damaged pages anywhere in the file), whose last finding is kept until a later run clears it.
 * - **Checkpoints** (for `aidr serve`): copying the write-ahead log into the database file, and
 *   flushing it, takes tens to hundreds of milliseconds; SQLite does it inside the COMMIT that
 *   crosses 1,000 pages of log, which froze the whole server for that long (commit p99 of 1.5 s
 *   at 50 connections). With `checkpoints`, the connections of the process do not checkpoint
 *   (wal_autocheckpoint=0) and this worker runs a PASSIVE checkpoint (which waits for nobody)
 *   every CHECKPOINT_MS on a connection of its own.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let writer;
parentPort.on('message', ({ id, file, integrity, checkpoint }) => {
  if (checkpoint) {
    try {
      writer ??= new Database(file, { timeout: 0 });
      writer.pragma('wal_checkpoint(PASSIVE)');
    } catch {}
    return;
  }
  let db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 });
    const head = db.prepare('select seq from audit_head where id = 1').get();
    if (!head) throw new Error('the audit log head is missing');
    let problem;
    if (integrity) {
      const rows = db.pragma('quick_check(5)');
      const found = rows.map((r) => r.quick_check).filter((s) => s !== 'ok');
      if (found.length) problem = 'integrity check failed: ' + found.join('; ').slice(0, 300);
    }
    parentPort.postMessage({ id, ok: true, integrity, problem });
  } catch (e) {
    parentPort.postMessage({ id, ok: false, problem: (e.code ? e.code + ': ' : '') + e.message });
  } finally {
    try { db && db.close(); } catch {}
  }
});
`;

interface Answer {
  id: number;
  ok: boolean;
  integrity?: boolean;
  problem?: string;
}

/** How long a check may take before it counts as a failure (a file on a hung disk). */
const CHECK_TIMEOUT_MS = 10_000;

/** How often the worker checkpoints the write-ahead log (when asked to take checkpoints over). */
const CHECKPOINT_MS = 250;

export class SqliteBackground {
  private worker: Worker | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private next = 0;
  private readonly waiting = new Map<number, (a: Answer) => void>();
  private inFlight: Promise<void> | undefined;
  private integrityAt = -Infinity;
  private integrityProblem: string | undefined;

  constructor(private readonly file: string, private readonly intervalMs: number) {}

  /** Take the checkpoints over from the process's connections (which must run with wal_autocheckpoint=0). */
  startCheckpoints(): void {
    if (this.checkpointTimer) return;
    this.checkpointTimer = setInterval(() => this.spawn().postMessage({ checkpoint: true, file: this.file }), CHECKPOINT_MS);
    this.checkpointTimer.unref();
  }

  /** Resolves when the file answers; rejects with the reason otherwise. Concurrent callers share one check. */
  check(): Promise<void> {
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async run(): Promise<void> {
    const integrity = Date.now() - this.integrityAt >= this.intervalMs;
    const a = await this.ask(integrity);
    if (!a.ok) throw new Error(`the database file cannot be read: ${a.problem}`);
    if (a.integrity) {
      this.integrityAt = Date.now();
      this.integrityProblem = a.problem;
    }
    if (this.integrityProblem) throw new Error(`the database file is damaged: ${this.integrityProblem}`);
  }

  private ask(integrity: boolean): Promise<Answer> {
    const w = this.spawn();
    const id = this.next++;
    return new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ id, ok: false, problem: `no answer within ${CHECK_TIMEOUT_MS} ms` });
      }, CHECK_TIMEOUT_MS);
      timer.unref();
      this.waiting.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      w.postMessage({ id, file: this.file, integrity });
    });
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const w = new Worker(WORKER, { eval: true, workerData: { driver } });
    w.unref();
    w.on('message', (a: Answer) => {
      this.waiting.get(a.id)?.(a);
      this.waiting.delete(a.id);
    });
    w.on('error', (e) => {
      for (const [id, done] of this.waiting) done({ id, ok: false, problem: `the check failed: ${e.message}` });
      this.waiting.clear();
      this.worker = undefined;
    });
    this.worker = w;
    return w;
  }

  async close(): Promise<void> {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
