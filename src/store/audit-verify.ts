/**
 * Verifying the audit log, and checkpoints of it kept elsewhere.
 *
 * `verifyAudit` walks the chain from the first record and names the first record that does not
 * fit (altered, deleted, reordered, head), then checks the signatures with the store's public key:
 * every record from the key's `since` on must carry a signature by a trusted key, and the last
 * record's signature must verify. Because each hash chains every record before it, that one valid
 * signature vouches for the whole log; when it does not verify, a binary search over the
 * signatures names the first record that was forged or rewritten (a valid signature on record n
 * implies the chain up to n is the one that was signed, so validity holds for a prefix of the log
 * and fails for the rest). `allSignatures` checks every one instead (195 µs each).
 *
 * What the chain and signatures alone cannot see is records cut off the end (with the head row
 * set back): a checkpoint (`auditCheckpoint`, kept off the database) pins a signed head, and
 * `verifyAudit(…, { checkpoint })` then finds the log shorter than it, or different up to it.
 */
import { z } from 'zod';
import { canonicalJson } from './canonical.js';
import { GENESIS_HASH } from './migrations/001-ledger-and-audit.js';
import { auditRecords, fromRow, recordHash, type AuditRecord } from './audit.js';
import { movementDigest, type MovementDigest } from './digest.js';
import type { Store } from './open.js';
import type { DbInt } from './schema.js';
import { VerificationError } from './errors.js';
import { verifyCheckpointSignature, verifyRecordSignature, type TrustedKey } from './signing.js';

export type AuditProblemKind = 'altered' | 'deleted' | 'reordered' | 'head' | 'unsigned' | 'forged' | 'truncated' | 'checkpoint' | 'no-key';

export interface AuditCheckpoint {
  aidr: 'audit-checkpoint';
  version: 1;
  store: string;
  at: string;
  keyId: string;
  /** The chain's head when the checkpoint was taken, with the record's own signature. */
  audit: { seq: number; hash: string; signature: string };
  /** The ledger movements at that moment (see digest.ts). */
  movements: MovementDigest;
  /** Ed25519 over the canonical JSON of everything above. */
  signature: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
/** A checkpoint file as read back (the CLI's --checkpoint, the HTTP service's body). */
export const AuditCheckpointSchema = z.strictObject({
  aidr: z.literal('audit-checkpoint'),
  version: z.literal(1),
  store: z.string().max(1000),
  at: z.string().max(40),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  audit: z.strictObject({ seq: z.number().int().nonnegative(), hash: z.string().regex(HEX64), signature: z.string().max(200) }),
  movements: z.strictObject({ count: z.number().int().nonnegative(), seq: z.number().int().nonnegative(), digest: z.string().regex(HEX64) }),
  signature: z.string().max(200),
});

export interface AuditVerifyOptions {
  /** A head noted earlier (`SEQ:HASH`): record seq must have this hash. */
  anchor?: { seq: number; hash: string };
  /** A checkpoint kept elsewhere: its signature must verify, and the log must contain its head. */
  checkpoint?: AuditCheckpoint;
  /** Keys to check signatures with (default: the store's own key). */
  keys?: TrustedKey[];
  /** Check every signature rather than the last one (slow: 195 µs each). */
  allSignatures?: boolean;
}

export interface AuditVerifyReport {
  ok: boolean;
  records: number;
  head: { seq: number; hash: string };
  problem?: { kind: AuditProblemKind; seq: number; id?: string; message: string };
  anchor?: { seq: number; hash: string; ok: boolean };
  signatures: { keyId: string | null; since: number | null; signed: number; checked: 'last' | 'all' | 'none'; ok: boolean };
  checkpoint?: { seq: number; hash: string; ok: boolean };
}

const num = (v: DbInt): number => Number(v);

/** Walk the chain, then check signatures, the anchor and the checkpoint; stop at the first problem and name it. */
export async function verifyAudit(store: Store, arg: AuditVerifyOptions | { seq: number; hash: string } = {}): Promise<AuditVerifyReport> {
  const opts: AuditVerifyOptions = 'seq' in arg ? { anchor: arg } : arg;
  const keys = opts.keys ?? (store.signer ? [store.signer] : []);
  const trusted = new Map(keys.map((k) => [k.keyId, k]));
  const primary = keys[0];
  const since = primary ? primary.since.audit : null;
  const headRow = await store.db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  const head = { seq: num(headRow.seq), hash: headRow.hash };
  const sig: AuditVerifyReport['signatures'] = { keyId: primary?.keyId ?? null, since, signed: 0, checked: opts.allSignatures ? 'all' : 'last', ok: false };
  let count = 0;
  let anchorOk: boolean | undefined;
  let atCheckpoint: string | undefined;
  const fail = (kind: AuditProblemKind, r: { seq: number; id?: string }, message: string): AuditVerifyReport => ({
    ok: false, records: count, head, problem: { kind, seq: r.seq, ...(r.id ? { id: r.id } : {}), message }, signatures: sig,
    ...(opts.anchor ? { anchor: { ...opts.anchor, ok: anchorOk ?? false } } : {}),
    ...(opts.checkpoint ? { checkpoint: { seq: opts.checkpoint.audit.seq, hash: opts.checkpoint.audit.hash, ok: false } } : {}),
  });

  // 1. The chain.
  let prevHash = GENESIS_HASH;
  let prev: AuditRecord | undefined;
  let expected = 1;
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
    if (since !== null && r.seq >= since) {
      if (r.signature === null || r.keyId === null) return fail('unsigned', r, `record seq ${r.seq} (id ${r.id}) is not signed: it was written without the store's key (forged), or by a process without it`);
      if (!trusted.has(r.keyId)) return fail('unsigned', r, `record seq ${r.seq} (id ${r.id}) is signed by key ${r.keyId}, which is not this store's key (${primary!.keyId})`);
      if (opts.allSignatures && !verifyRecordSignature(trusted.get(r.keyId)!, r.hash, r.signature)) {
        return fail('forged', r, `record seq ${r.seq} (id ${r.id}): its signature does not verify: forged, or rewritten after it was signed`);
      }
      sig.signed++;
    }
    if (opts.anchor && r.seq === opts.anchor.seq) anchorOk = r.hash === opts.anchor.hash;
    if (opts.checkpoint && r.seq === opts.checkpoint.audit.seq) atCheckpoint = r.hash;
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

  // 2. Signatures: the last one vouches for the chain; if it fails, find the first that fails.
  if (!primary) {
    sig.checked = 'none';
    return fail('no-key', { seq: last.seq }, 'no key to check the signatures with: give the store\'s signing key or its public key (.pub)');
  }
  if (prev && since !== null && prev.seq >= since && !opts.allSignatures) {
    if (!verifyRecordSignature(trusted.get(prev.keyId!)!, prev.hash, prev.signature!)) {
      const bad = await firstBadSignature(store, since, prev.seq, trusted);
      return fail('forged', bad, `record seq ${bad.seq}${bad.id ? ` (id ${bad.id})` : ''}: its signature does not verify: forged, or rewritten (and the chain re-hashed) after it was signed; the records before it verify`);
    }
  }
  sig.ok = true;

  // 3. What was noted elsewhere: an anchor, a checkpoint.
  const report: AuditVerifyReport = { ok: true, records: count, head, signatures: sig };
  if (opts.anchor) {
    report.anchor = { ...opts.anchor, ok: anchorOk ?? false };
    if (!anchorOk) return { ...fail('altered', { seq: opts.anchor.seq }, `the anchor seq ${opts.anchor.seq} hash ${opts.anchor.hash.slice(0, 12)}… is not in the chain: records up to it were rewritten`), anchor: report.anchor };
  }
  if (opts.checkpoint) {
    const cp = opts.checkpoint;
    const key = trusted.get(cp.keyId);
    if (!key || !verifyCheckpointSignature(key, checkpointPayload(cp), cp.signature)) {
      return fail('checkpoint', { seq: cp.audit.seq }, `the checkpoint is not signed by this store's key${key ? '' : ` (it names key ${cp.keyId})`}: it was altered, or belongs to another store`);
    }
    if (last.seq < cp.audit.seq) {
      return fail('truncated', { seq: last.seq + 1 }, `the checkpoint of ${cp.at} names seq ${cp.audit.seq}, but the log ends at seq ${last.seq}: records seq ${last.seq + 1} to ${cp.audit.seq} were cut off the end`);
    }
    if (atCheckpoint !== cp.audit.hash) {
      return fail('altered', { seq: cp.audit.seq }, `record seq ${cp.audit.seq} is not the one the checkpoint of ${cp.at} saw: the log up to it was rewritten`);
    }
    report.checkpoint = { seq: cp.audit.seq, hash: cp.audit.hash, ok: true };
  }
  return report;
}

/** The signed content of a checkpoint (everything but its own signature). */
export function checkpointPayload(cp: Omit<AuditCheckpoint, 'signature'> & { signature?: string }): string {
  const { signature: _s, ...rest } = cp;
  return canonicalJson(rest);
}

/**
 * A checkpoint of the log as it is now, to keep off the database: the head (seq, hash, its
 * signature) and the movements' digest, signed. The log is verified first: a checkpoint must
 * not vouch for a log that is already wrong.
 */
export async function auditCheckpoint(store: Store): Promise<AuditCheckpoint> {
  if (!store.signer) throw new Error(`aidr: cannot sign a checkpoint: ${store.signingProblem ?? 'no signing key'}`);
  const v = await verifyAudit(store);
  if (!v.ok) throw new VerificationError(`the audit log does not verify (${v.problem!.kind}: ${v.problem!.message}); no checkpoint written`);
  const last = await store.db.selectFrom('audit_log').selectAll().where('seq', '=', v.head.seq).executeTakeFirst();
  const rec = last ? fromRow(last) : undefined;
  const body = {
    aidr: 'audit-checkpoint' as const, version: 1 as const, store: store.location, at: new Date().toISOString(), keyId: store.signer.keyId,
    audit: { seq: v.head.seq, hash: v.head.hash, signature: rec?.signature ?? '' },
    movements: await movementDigest(store.db),
  };
  return { ...body, signature: store.signer.signCheckpoint(checkpointPayload(body)) };
}

/** The first record from `lo` whose signature does not verify, knowing that record `hi`'s does not. */
async function firstBadSignature(store: Store, lo: number, hi: number, trusted: Map<string, TrustedKey>): Promise<{ seq: number; id?: string }> {
  const valid = async (seq: number): Promise<boolean> => {
    const r = await store.db.selectFrom('audit_log').select(['hash', 'signature', 'key_id']).where('seq', '=', seq).executeTakeFirst();
    const key = r?.key_id ? trusted.get(r.key_id) : undefined;
    return !!r && !!key && !!r.signature && verifyRecordSignature(key, r.hash, r.signature);
  };
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await valid(mid)) lo = mid + 1;
    else hi = mid;
  }
  const r = await store.db.selectFrom('audit_log').select('id').where('seq', '=', lo).executeTakeFirst();
  return { seq: lo, ...(r ? { id: r.id } : {}) };
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
