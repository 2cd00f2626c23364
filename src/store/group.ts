/**
 * Group commit: writes that arrive together share one database transaction, and so one flush to
 * disk, instead of each waiting for its own (issue 12: at 50 connections a commit's p99 was
 * nearly a second, each fsync queued behind every other).
 *
 * One writer per store and process: while a group runs, new work queues; when it ends, everything
 * queued runs as the next group. Within a group each piece of work runs in its own savepoint, in
 * the order it arrived (so audit records are appended in arrival order): one that fails is rolled
 * back to its savepoint alone, and the others go on. Nobody is answered before the group's COMMIT
 * returns: a success is durable when it is reported, and a failure is reported after the work
 * that succeeded beside it is visible (so a retry that lost a race finds the winner's result).
 *
 * Lock order on PostgreSQL: a group takes the audit log's head row first, so groups of several
 * processes (and commits outside groups) queue on that one row and never deadlock on accounts.
 * SQLite needs nothing more: BEGIN IMMEDIATE already makes the group the only writer.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { HeldAuditHead } from './audit.js';
import { transaction, type Store } from './open.js';
import type { Database } from './schema.js';

type Work<T> = (trx: Kysely<Database>) => Promise<T>;

interface Pending {
  work: Work<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** At most this many pieces of work per group: bounds how long one group holds the write lock. */
export const MAX_GROUP = 64;
/** A piece of work that deadlocked or hit a serialisation failure is run again this many times (in its savepoint). */
const ITEM_RETRIES = 3;
const RETRY_CODES = new Set(['40001', '40P01']);

export interface GroupStats {
  groups: number;
  items: number;
  largest: number;
}

class GroupCommitter {
  private readonly queue: Pending[] = [];
  private running = false;
  readonly stats: GroupStats = { groups: 0, items: 0, largest: 0 };

  constructor(private readonly store: Store) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        // Start on the next turn of the event loop, not now: requests read in this turn reach
        // here first. (SQLite's statements resolve without yielding, so a group started at once
        // would run to its COMMIT before any other request got this far: groups of one.)
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.runGroup(this.queue.splice(0, MAX_GROUP));
    } finally {
      this.running = false;
    }
  }

  private async runGroup(group: Pending[]): Promise<void> {
    this.stats.groups++;
    this.stats.items += group.length;
    this.stats.largest = Math.max(this.stats.largest, group.length);
    let outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await transaction(this.store, async (trx) => {
        outcomes = [];
        // The audit log's head is read once for the group (and locked first, on PostgreSQL) and
        // written once before COMMIT.
        const head = await HeldAuditHead.hold(trx, this.store.dialect);
        const savepoints = group.length > 1 ? new ItemSavepoints(trx, this.store.dialect === 'postgres') : undefined;
        for (const p of group) outcomes.push(await runItem(trx, p.work, savepoints, head));
        await head.write();
      });
    } catch (error) {
      // The group's transaction itself failed (BEGIN, COMMIT, a lost connection): nothing of it is
      // known to be written, and every piece of work fails with that error.
      for (const p of group) p.reject(error);
      return;
    }
    group.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }
}

/**
 * The savepoint each piece of work of a group runs in. On PostgreSQL every statement is a round
 * trip to the server, so a piece of work that succeeded is not released at once: its `release
 * savepoint` goes with the next one's `savepoint` as one query (without parameters the simple
 * query protocol runs both, in order, and stops at the first that fails), and the last one is
 * released by COMMIT. One round trip per commit fewer; what is kept and rolled back is the same.
 * SQLite runs in process (no round trips), and better-sqlite3 prepares one statement at a time.
 */
class ItemSavepoints {
  /** A savepoint of a piece of work that succeeded is still open (PostgreSQL only). */
  private open = false;
  constructor(private readonly trx: Kysely<Database>, private readonly merge: boolean) {}

  async begin(): Promise<void> {
    await this.run(this.open ? RELEASE_AND_SAVEPOINT : SAVEPOINT);
    this.open = false;
  }

  async keep(): Promise<void> {
    if (this.merge) this.open = true;
    else await this.run(RELEASE);
  }

  async undo(): Promise<void> {
    if (this.merge) await this.run(ROLLBACK_AND_RELEASE);
    else {
      await this.run(ROLLBACK);
      await this.run(RELEASE);
    }
  }

  private async run(statement: CompiledQuery): Promise<void> {
    await this.trx.executeQuery(statement);
  }
}

// Constant statements, not built again for every piece of work.
const SAVEPOINT = CompiledQuery.raw('savepoint aidr_item');
const RELEASE = CompiledQuery.raw('release savepoint aidr_item');
const ROLLBACK = CompiledQuery.raw('rollback to savepoint aidr_item');
const RELEASE_AND_SAVEPOINT = CompiledQuery.raw('release savepoint aidr_item; savepoint aidr_item');
const ROLLBACK_AND_RELEASE = CompiledQuery.raw('rollback to savepoint aidr_item; release savepoint aidr_item');

/** One piece of work in its own savepoint (none when it is alone: the transaction is its own). */
async function runItem(trx: Kysely<Database>, work: Work<unknown>, savepoints: ItemSavepoints | undefined, head: HeldAuditHead): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  if (!savepoints) return { ok: true, value: await work(trx) };
  for (let attempt = 1; ; attempt++) {
    const mark = head.mark();
    await savepoints.begin();
    try {
      const value = await work(trx);
      await savepoints.keep();
      return { ok: true, value };
    } catch (error) {
      await savepoints.undo();
      head.reset(mark);
      const code = (error as { code?: string }).code;
      if (!(code && RETRY_CODES.has(code) && attempt < ITEM_RETRIES)) return { ok: false, error };
    }
  }
}

const committers = new WeakMap<Store, GroupCommitter>();

/**
 * Run `work` in this process's next group transaction for `store`; resolves once the group is
 * committed. The work may be run more than once (the whole group again when its connection was
 * lost before COMMIT): it must have no effect outside the transaction.
 */
export function groupCommit<T>(store: Store, work: Work<T>): Promise<T> {
  let c = committers.get(store);
  if (!c) committers.set(store, (c = new GroupCommitter(store)));
  return c.run(work);
}

/** How grouping went so far for this store (benchmarks). */
export function groupStats(store: Store): GroupStats {
  return committers.get(store)?.stats ?? { groups: 0, items: 0, largest: 0 };
}
