/**
 * The audit log: an append-only, hash-chained record of determinations (EAR part 762 asks for
 * five years of records; Supp. 10 to part 748 para. 11 likewise).
 *
 * Each record carries `prev_hash`, the hash of the record before it, and
 * `hash = sha256(prev_hash + canonical JSON of {seq, id, at, actor, kind, input, options, output,
 * rulesetVersion, effects})`. Changing a stored field breaks the record's own hash; deleting or
 * reordering records breaks the sequence or the chain. `verifyAudit` walks the chain and names the
 * first record that does not fit. The head (last seq and hash) is kept in `audit_head`, so deleting
 * the newest records is detected too; keep a copy of the head somewhere else (`--anchor`) to also
 * detect someone who rewrites the whole tail and the head together.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalJson, sha256 } from './canonical.js';
import { GENESIS_HASH } from './migrations/001-ledger-and-audit.js';
import type { Store } from './open.js';
import type { AuditTable, Database, DbInt } from './schema.js';

export interface AuditEntry {
  id?: string;
  at?: string;
  actor: string;
  kind: string;
  input: unknown;
  options: unknown;
  output: unknown;
  rulesetVersion: string;
  effects: unknown;
}

export interface AuditRecord {
  seq: number;
  id: string;
  at: string;
  actor: string;
  kind: string;
  /** Canonical JSON text, exactly as hashed. */
  input: string;
  options: string;
  output: string;
  rulesetVersion: string;
  effects: string;
  prevHash: string;
  hash: string;
}

type Hashed = Omit<AuditRecord, 'hash' | 'prevHash'>;

export function recordHash(prevHash: string, r: Hashed): string {
  return sha256(prevHash + canonicalJson({
    seq: r.seq, id: r.id, at: r.at, actor: r.actor, kind: r.kind, input: r.input, options: r.options, output: r.output,
    rulesetVersion: r.rulesetVersion, effects: r.effects,
  }));
}

const num = (v: DbInt): number => Number(v);

function fromRow(r: AuditTable): AuditRecord {
  return {
    seq: num(r.seq), id: r.id, at: r.at, actor: r.actor, kind: r.kind, input: r.input, options: r.options, output: r.output,
    rulesetVersion: r.ruleset_version, effects: r.effects, prevHash: r.prev_hash, hash: r.hash,
  };
}

/**
 * Append one record inside the caller's transaction. The head row is locked first (an UPDATE),
 * so concurrent appenders take turns and each links to the record committed before it.
 */
export async function appendAudit(trx: Kysely<Database>, e: AuditEntry): Promise<AuditRecord> {
  const head = await trx.updateTable('audit_head').set((eb) => ({ seq: eb('seq', '+', 1) })).where('id', '=', 1)
    .returning(['seq', 'hash']).executeTakeFirstOrThrow();
  const rec: Hashed = {
    seq: num(head.seq),
    id: e.id ?? randomUUID(),
    at: e.at ?? new Date().toISOString(),
    actor: e.actor,
    kind: e.kind,
    input: canonicalJson(e.input),
    options: canonicalJson(e.options),
    output: canonicalJson(e.output),
    rulesetVersion: e.rulesetVersion,
    effects: canonicalJson(e.effects),
  };
  const hash = recordHash(head.hash, rec);
  await trx.insertInto('audit_log').values({
    seq: rec.seq, id: rec.id, at: rec.at, actor: rec.actor, kind: rec.kind, input: rec.input, options: rec.options, output: rec.output,
    ruleset_version: rec.rulesetVersion, effects: rec.effects, prev_hash: head.hash, hash,
  }).execute();
  await trx.updateTable('audit_head').set({ hash }).where('id', '=', 1).execute();
  return { ...rec, prevHash: head.hash, hash };
}

/** One record by its id (uuid) or its sequence number. */
export async function getAudit(store: Store, idOrSeq: string): Promise<AuditRecord | undefined> {
  let q = store.db.selectFrom('audit_log').selectAll();
  q = /^\d+$/.test(idOrSeq) ? q.where('seq', '=', BigInt(idOrSeq)) : q.where('id', '=', idOrSeq);
  const row = await q.executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Records in sequence order, in pages (for verify and export). */
export async function* auditRecords(store: Store, opts: { since?: string; until?: string; pageSize?: number } = {}): AsyncGenerator<AuditRecord> {
  let after = 0n;
  const size = opts.pageSize ?? 1000;
  for (;;) {
    let q = store.db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(size);
    if (opts.since) q = q.where('at', '>=', opts.since);
    if (opts.until) q = q.where('at', '<', opts.until);
    const rows = await q.execute();
    for (const r of rows) yield fromRow(r);
    if (rows.length < size) return;
    after = BigInt(rows[rows.length - 1]!.seq);
  }
}

export type AuditProblemKind = 'altered' | 'deleted' | 'reordered' | 'head';

export interface AuditVerifyReport {
  ok: boolean;
  records: number;
  head: { seq: number; hash: string };
  problem?: { kind: AuditProblemKind; seq: number; id?: string; message: string };
  anchor?: { seq: number; hash: string; ok: boolean };
}

/**
 * Walk the chain from the first record. Stops at the first problem and names it:
 * - altered: a record's content does not match its own hash;
 * - reordered: a record is stored at a sequence number other than the one it was written with,
 *   or chains to a record that is not its predecessor;
 * - deleted: a sequence number is missing, or a record's predecessor is gone;
 * - head: records after the last one present were deleted (the head names a later record).
 */
export async function verifyAudit(store: Store, anchor?: { seq: number; hash: string }): Promise<AuditVerifyReport> {
  const headRow = await store.db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  const head = { seq: num(headRow.seq), hash: headRow.hash };
  let prevHash = GENESIS_HASH;
  let prev: AuditRecord | undefined;
  let expected = 1;
  let count = 0;
  let anchorOk: boolean | undefined;
  const fail = (kind: AuditProblemKind, r: { seq: number; id?: string }, message: string): AuditVerifyReport => ({
    ok: false, records: count, head, problem: { kind, seq: r.seq, ...(r.id ? { id: r.id } : {}), message },
    ...(anchor ? { anchor: { ...anchor, ok: anchorOk ?? false } } : {}),
  });
  for await (const r of auditRecords(store)) {
    if (r.seq > expected) {
      const gap = r.seq - 1 === expected ? `seq ${expected}` : `seq ${expected} to ${r.seq - 1}`;
      return fail('deleted', { seq: expected }, `record ${gap} is missing (deleted); the chain resumes at seq ${r.seq} (id ${r.id})`);
    }
    const own = recordHash(r.prevHash, r);
    if (own !== r.hash) {
      const writtenAs = await writtenSeq(store, r);
      if (writtenAs !== undefined) return fail('reordered', r, `record id ${r.id} is stored at seq ${r.seq} but was written as seq ${writtenAs}`);
      return fail('altered', r, `record seq ${r.seq} (id ${r.id}) was altered: its content does not match its hash`);
    }
    if (r.prevHash !== prevHash) {
      const linked = await store.db.selectFrom('audit_log').select(['seq', 'id']).where('hash', '=', r.prevHash).executeTakeFirst();
      if (linked) return fail('reordered', r, `record seq ${r.seq} (id ${r.id}) follows seq ${num(linked.seq)} in the chain, not seq ${prev?.seq ?? 0}`);
      return fail(prev ? 'altered' : 'deleted', prev ?? r,
        prev ? `the chain breaks after seq ${prev.seq} (id ${prev.id}): that record was altered and re-hashed, or a record after it was replaced` : `the first record (seq ${r.seq}) does not start the chain: earlier records were deleted`);
    }
    if (anchor && r.seq === anchor.seq) anchorOk = r.hash === anchor.hash;
    prevHash = r.hash;
    prev = r;
    expected = r.seq + 1;
    count++;
  }
  const last = prev ? { seq: prev.seq, hash: prev.hash } : { seq: 0, hash: GENESIS_HASH };
  if (head.seq !== last.seq || head.hash !== last.hash) {
    return fail('head', { seq: last.seq + 1 },
      head.seq > last.seq ? `records seq ${last.seq + 1} to ${head.seq} were deleted (the head names seq ${head.seq})` : `the head (seq ${head.seq}) does not match the last record (seq ${last.seq})`);
  }
  const report: AuditVerifyReport = { ok: true, records: count, head };
  if (anchor) {
    report.anchor = { ...anchor, ok: anchorOk ?? false };
    if (!anchorOk) {
      report.ok = false;
      report.problem = { kind: 'altered', seq: anchor.seq, message: `the anchor seq ${anchor.seq} hash ${anchor.hash.slice(0, 12)}… is not in the chain: records up to it were rewritten` };
    }
  }
  return report;
}

/** How far from its place a moved record is looked for (a bound on the work of naming it; beyond, it is reported as altered). */
const REORDER_WINDOW = 10_000;

/** The sequence number a record's stored hash was computed with, if another one nearby fits. */
async function writtenSeq(store: Store, r: AuditRecord): Promise<number | undefined> {
  const max = await store.db.selectFrom('audit_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
  const top = Math.min(Math.max(num(max.seq), r.seq) + 1, r.seq + REORDER_WINDOW);
  for (let s = Math.max(1, r.seq - REORDER_WINDOW); s <= top; s++) {
    if (s !== r.seq && recordHash(r.prevHash, { ...r, seq: s }) === r.hash) return s;
  }
  return undefined;
}

export const EXPORT_COLUMNS = ['seq', 'id', 'at', 'actor', 'kind', 'ruleset_version', 'outcome', 'exception', 'input', 'options', 'output', 'effects', 'prev_hash', 'hash'] as const;

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One export line (CSV row or JSON object) per record; `outcome` and `exception` are lifted out for filtering in a spreadsheet. */
export function exportLine(r: AuditRecord, format: 'csv' | 'jsonl'): string {
  let outcome = '';
  let exception = '';
  try {
    outcome = (JSON.parse(r.output) as { outcome?: string }).outcome ?? '';
    exception = (JSON.parse(r.effects) as { exception?: string | null }).exception ?? '';
  } catch {
    // A record whose JSON no longer parses is exported as stored; verify names it.
  }
  if (format === 'jsonl') {
    return JSON.stringify({
      seq: r.seq, id: r.id, at: r.at, actor: r.actor, kind: r.kind, rulesetVersion: r.rulesetVersion, outcome, exception,
      input: safeParse(r.input), options: safeParse(r.options), output: safeParse(r.output), effects: safeParse(r.effects), prevHash: r.prevHash, hash: r.hash,
    });
  }
  return [String(r.seq), r.id, r.at, r.actor, r.kind, r.rulesetVersion, outcome, exception, r.input, r.options, r.output, r.effects, r.prevHash, r.hash].map(csvField).join(',');
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
