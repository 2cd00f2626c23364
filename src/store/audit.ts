/**
 * The audit log: an append-only, hash-chained record of determinations (EAR part 762 asks for
 * five years of records; Supp. 10 to part 748 para. 11 likewise).
 *
 * Each record carries `prev_hash`, the hash of the record before it, and
 * `hash = sha256(prev_hash + canonical JSON of {seq, id, at, actor, kind, input, options, output,
 * rulesetVersion, effects})`. Changing a stored field breaks the record's own hash; deleting or
 * reordering records breaks the sequence or the chain. `verifyAudit` walks the chain and names the
 * first record that does not fit. The head (last seq and hash) is kept in `audit_head`, so deleting
 * the newest records is detected too. Each record's hash is also signed with the store's key
 * (signing.ts), so a chain rewritten and re-hashed by someone without the key no longer verifies;
 * a checkpoint kept elsewhere (`aidr audit checkpoint`) also catches records cut off the end.
 * Verification is in audit-verify.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalJson, sha256 } from './canonical.js';
import type { Store } from './open.js';
import { Prepared } from './prepared.js';
import type { AuditTable, Database, DbInt } from './schema.js';
import type { Signer } from './signing.js';

export { auditCheckpoint, verifyAudit, type AuditCheckpoint, type AuditProblemKind, type AuditVerifyOptions, type AuditVerifyReport } from './audit-verify.js';

export interface AuditEntry {
  id?: string;
  at?: string;
  actor: string;
  kind: string;
  input: unknown;
  /** `input` already as canonical JSON, when the caller has it (not serialised twice). */
  inputJson?: string;
  options: unknown;
  output: unknown;
  /** `output` already as JSON text, when the caller has it. */
  outputJson?: string;
  rulesetVersion: string;
  effects: unknown;
}

export interface AuditRecord {
  seq: number;
  id: string;
  at: string;
  actor: string;
  kind: string;
  /** JSON text exactly as hashed: `input`, `options` and `effects` canonical (sorted keys), `output` as answered. */
  input: string;
  options: string;
  output: string;
  rulesetVersion: string;
  effects: string;
  prevHash: string;
  hash: string;
  /** Ed25519 signature of `hash` and the key that made it (null: written before the store had a key). */
  signature: string | null;
  keyId: string | null;
}

type Hashed = Omit<AuditRecord, 'hash' | 'prevHash' | 'signature' | 'keyId'>;

export function recordHash(prevHash: string, r: Hashed): string {
  // prevHash + canonicalJson({ seq, id, at, actor, kind, input, options, output, rulesetVersion,
  // effects }), written out with its keys already in canonical (sorted) order: every commit hashes
  // one record, and building and sorting an object for it cost more than writing the text out.
  // (A test checks the two give the same bytes.)
  const q = JSON.stringify;
  return sha256(`${prevHash}{"actor":${q(r.actor)},"at":${q(r.at)},"effects":${q(r.effects)},"id":${q(r.id)},"input":${q(r.input)},"kind":${q(r.kind)},`
    + `"options":${q(r.options)},"output":${q(r.output)},"rulesetVersion":${q(r.rulesetVersion)},"seq":${q(r.seq)}}`);
}

const num = (v: DbInt): number => Number(v);

export function fromRow(r: AuditTable): AuditRecord {
  return {
    seq: num(r.seq), id: r.id, at: r.at, actor: r.actor, kind: r.kind, input: r.input, options: r.options, output: r.output,
    rulesetVersion: r.ruleset_version, effects: r.effects, prevHash: r.prev_hash, hash: r.hash, signature: r.signature ?? null, keyId: r.key_id ?? null,
  };
}

/** The log's head: the last record's sequence number and hash. */
interface Head {
  seq: number;
  hash: string;
}

/**
 * The log's head held in memory for one group transaction (src/store/group.ts): read once (on
 * PostgreSQL with the row lock that orders writers), advanced by each record appended, and written
 * back once before COMMIT, instead of two UPDATEs of the one head row for every record. A piece of
 * work rolled back to its savepoint puts the head back where it found it (`mark`, `reset`).
 */
export class HeldAuditHead {
  private constructor(private readonly trx: Kysely<Database>, private readonly stored: Head, private current: Head) {}

  /** Read the head inside `trx`; appendAudit in `trx` then uses it until `write`. */
  static async hold(trx: Kysely<Database>, dialect: Store['dialect']): Promise<HeldAuditHead> {
    const row = dialect === 'postgres'
      // Lock the row first: writers in other processes (and outside groups) queue on it.
      ? await trx.updateTable('audit_head').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1).returning(['seq', 'hash']).executeTakeFirstOrThrow()
      // BEGIN IMMEDIATE already made this transaction the only writer.
      : await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    const head = { seq: num(row.seq), hash: row.hash };
    const held = new HeldAuditHead(trx, head, head);
    heldHeads.set(trx, held);
    return held;
  }

  mark(): Head {
    return this.current;
  }

  reset(mark: Head): void {
    this.current = mark;
  }

  advance(head: Head): void {
    this.current = head;
  }

  /** Write the head back (when records were appended), then stop holding it. */
  async write(): Promise<void> {
    heldHeads.delete(this.trx);
    if (this.current === this.stored) return;
    await this.trx.updateTable('audit_head').set({ seq: this.current.seq, hash: this.current.hash }).where('id', '=', 1).execute();
  }
}

const heldHeads = new WeakMap<Kysely<Database>, HeldAuditHead>();

/** The record's row: a statement compiled once (prepared.ts), as it runs in every commit's group transaction. */
const INSERT_RECORD = new Prepared(14, (trx, seq: number, id: string, at: string, actor: string, kind: string, input: string, options: string, output: string,
  rulesetVersion: string, effects: string, prevHash: string, hash: string, signature: string | null, keyId: string | null) => trx.insertInto('audit_log').values({
  seq, id, at, actor, kind, input, options, output, ruleset_version: rulesetVersion, effects, prev_hash: prevHash, hash, signature, key_id: keyId,
}));

/**
 * Append one record inside the caller's transaction, signed with `signer` (the store's key). The
 * head row is locked first (an UPDATE), so concurrent appenders take turns and each links to the
 * record committed before it; in a group transaction the group holds the head (HeldAuditHead).
 */
export async function appendAudit(trx: Kysely<Database>, e: AuditEntry, signer: Signer | undefined): Promise<AuditRecord> {
  const held = heldHeads.get(trx);
  let seq: number;
  let prevHash: string;
  if (held) {
    const last = held.mark();
    seq = last.seq + 1;
    prevHash = last.hash;
  } else {
    const head = await trx.updateTable('audit_head').set((eb) => ({ seq: eb('seq', '+', 1) })).where('id', '=', 1)
      .returning(['seq', 'hash']).executeTakeFirstOrThrow();
    seq = num(head.seq);
    prevHash = head.hash;
  }
  const rec: Hashed = {
    seq,
    id: e.id ?? randomUUID(),
    at: e.at ?? new Date().toISOString(),
    actor: e.actor,
    kind: e.kind,
    input: e.inputJson ?? canonicalJson(e.input),
    options: canonicalJson(e.options),
    // The determination exactly as it was answered (its key order is the engine's, fixed per
    // ruleset version): a replay returns the same bytes, and sorting ~20 KB of keys on every commit
    // cost more than the rest of the record. The hash covers the text as stored either way.
    output: e.outputJson ?? JSON.stringify(e.output),
    rulesetVersion: e.rulesetVersion,
    effects: canonicalJson(e.effects),
  };
  const hash = recordHash(prevHash, rec);
  const signature = signer ? signer.signRecord(hash) : null;
  const keyId = signer ? signer.keyId : null;
  await INSERT_RECORD.execute(trx, rec.seq, rec.id, rec.at, rec.actor, rec.kind, rec.input, rec.options, rec.output, rec.rulesetVersion, rec.effects, prevHash, hash, signature, keyId);
  if (held) held.advance({ seq: rec.seq, hash });
  else await trx.updateTable('audit_head').set({ hash }).where('id', '=', 1).execute();
  return { ...rec, prevHash, hash, signature, keyId };
}

/** The store's signer, or an error saying why records cannot be written (a store signed with a key this process lacks). */
export function requireSigner(store: Store): Signer {
  if (store.signer) return store.signer;
  throw new Error(`aidr: cannot write to the audit log: ${store.signingProblem ?? 'no signing key'}`);
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

export const EXPORT_COLUMNS = ['seq', 'id', 'at', 'actor', 'kind', 'ruleset_version', 'outcome', 'exception', 'input', 'options', 'output', 'effects', 'prev_hash', 'hash', 'signature', 'key_id'] as const;

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
      signature: r.signature, keyId: r.keyId,
    });
  }
  return [String(r.seq), r.id, r.at, r.actor, r.kind, r.rulesetVersion, outcome, exception, r.input, r.options, r.output, r.effects, r.prevHash, r.hash, r.signature ?? '', r.keyId ?? ''].map(csvField).join(',');
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
