/**
 * Statements of the commit path built and compiled by Kysely once per database, then run with
 * fresh parameters. Building and compiling a query costs more than SQLite takes to run most of
 * ours (an UPDATE of one row: ~18 µs through the query builder, ~6 µs as a compiled query), and a
 * commit runs several in its group transaction, where every microsecond is spent holding the
 * write lock. The SQL text is still Kysely's own, so each dialect gets what the query builder
 * makes for it.
 *
 * How the parameters are found: the query is built once with a marker in place of each argument;
 * the compiled query's parameters are then, position by position, either a marker (take that
 * argument) or a constant of the query itself (kept). A statement whose SQL text depends on its
 * arguments (a list for `in`, a value that may be absent) cannot be prepared this way: give each
 * shape its own Prepared.
 */
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';

type Slot = { arg: number } | { constant: unknown };

interface Compiled {
  sql: string;
  slots: Slot[];
}

/** A marker no caller passes: one per argument position. */
class Marker {
  constructor(readonly index: number) {}
}

export class Prepared<A extends unknown[]> {
  /** Per database (its Kysely adapter, shared by its transactions): the SQL and where each parameter comes from. */
  private readonly compiled = new WeakMap<object, Compiled>();

  constructor(private readonly arity: number, private readonly build: (db: Kysely<Database>, ...args: A) => Compilable) {}

  async execute<R>(db: Kysely<Database>, ...args: A): Promise<QueryResult<R>> {
    const executor = db.getExecutor();
    let c = this.compiled.get(executor.adapter);
    if (!c) this.compiled.set(executor.adapter, (c = this.compile(db)));
    const parameters = c.slots.map((s) => ('arg' in s ? args[s.arg] : s.constant));
    return db.executeQuery<R>(CompiledQuery.raw(c.sql, parameters));
  }

  private compile(db: Kysely<Database>): Compiled {
    const markers = Array.from({ length: this.arity }, (_, i) => new Marker(i)) as unknown as A;
    const q = this.build(db, ...markers).compile();
    const slots: Slot[] = q.parameters.map((p) => (p instanceof Marker ? { arg: p.index } : { constant: p }));
    const used = new Set(slots.flatMap((s) => ('arg' in s ? [s.arg] : [])));
    // Every argument must reach the SQL exactly as a parameter (not folded into the text).
    if (used.size !== this.arity) throw new Error(`aidr: a prepared statement uses ${used.size} of its ${this.arity} arguments: ${q.sql}`);
    return { sql: q.sql, slots };
  }
}
