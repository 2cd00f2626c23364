/**
 * `verifyLedger`: every balance recomputed from movements that are each vouched for, and every
 * movement that cannot be vouched for named.
 *
 * A movement is vouched for when
 * - its MAC (under the store's signing key) matches its content: one inserted or altered by SQL
 *   does not; a copy of a genuine one repeats its uid;
 * - it was caused by a commit: the audit record it names by hash is in the verified chain and
 *   lists it (account, amount, uid) in its effects; and every movement an audit record lists
 *   exists (a deleted one is named);
 * - or it predates the key (no MAC): the set of such movements is exactly the one recorded in the
 *   key file when the key was created (their count and digest).
 * Reservations, their commit, release and expiry, draws, recorded facts, imports and retirements
 * have no audit record by design (the reservation hot path is one database round trip, which an
 * audit append would serialise behind the log's head); their MAC makes them forgery-evident, and a
 * checkpoint catches one deleted outright (with DDL rights) before it. Each reservation must have
 * exactly one `reserve` movement and at most one commit, release or expiry.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/open.js';
import type { DbInt } from '../store/schema.js';
import { auditRecords, verifyAudit, type AuditCheckpoint, type AuditVerifyReport } from '../store/audit.js';
import { movementDigest, movementLine, type MovementRowForDigest } from '../store/digest.js';
import { big, bigOrNull, tpp } from './amount.js';
import { movementMac, rowFields } from './move.js';

export interface LedgerVerifyReport {
  ok: boolean;
  accounts: number;
  /** Accounts whose balance is not the sum of their vouched-for movements. */
  mismatches: { account: string; usedTpp: string; historyUsedTpp: string; reservedTpp: string; historyReservedTpp: string }[];
  /** Accounts over their cap (recorded facts may put them there; the other INT-7 reading's account is tracked uncapped). */
  overCap: string[];
  movements: {
    total: number;
    /** Bound to a verified audit record (commits). */
    audited: number;
    /** Vouched for by their MAC alone, by kind (no audit record by design). */
    macOnly: Record<string, number>;
    /** Written before the store had a signing key. */
    legacy: number;
  };
  /** Movements that cannot be vouched for, and why. */
  forged: { seq: string; account: string; kind: string; reason: string }[];
  /** Movements an audit record lists that are not in the table. */
  missing: { auditSeq: number; account: string; uid: string }[];
  /** Reservations whose movements do not tell one story (settled twice, settled but never reserved). */
  reservations: { reservationId: string; problem: string }[];
  /** The audit chain the commits' movements are checked against. */
  audit: { ok: boolean; problem?: string };
  checkpoint?: { seq: number; count: number; ok: boolean; message?: string };
  /** Why the check could not be made in full (no key). */
  problems: string[];
}

interface Claim {
  auditSeq: number;
  hash: string;
  account: string;
  amountMilli: string;
  found: boolean;
}

const PAGE = 5000;
/** Each list in the report names at most this many entries (the count is in `movements` and `ok`). */
const LIST_LIMIT = 100;

export async function verifyLedger(store: Store, opts: { checkpoint?: AuditCheckpoint; audit?: AuditVerifyReport } = {}): Promise<LedgerVerifyReport> {
  const signer = store.signer;
  const problems: string[] = [];
  if (!signer) problems.push(`movement MACs cannot be checked: ${store.signingProblem ?? 'no signing key'}`);
  const audit = opts.audit ?? await verifyAudit(store);

  // The movements each audit record says it caused.
  const claims = new Map<string, Claim>();
  for await (const r of auditRecords(store)) {
    const effects = safeJson(r.effects) as { movements?: { account: string; amountMilli: string; uid?: string }[] } | undefined;
    for (const m of effects?.movements ?? []) if (m.uid) claims.set(m.uid, { auditSeq: r.seq, hash: r.hash, account: m.account, amountMilli: m.amountMilli, found: false });
  }

  const report: LedgerVerifyReport = {
    ok: false, accounts: 0, mismatches: [], overCap: [], movements: { total: 0, audited: 0, macOnly: {}, legacy: 0 },
    forged: [], missing: [], reservations: [], audit: { ok: audit.ok, ...(audit.problem ? { problem: `${audit.problem.kind}: ${audit.problem.message}` } : {}) }, problems,
  };
  const forged = (r: MovementRowForDigest, reason: string) => {
    if (report.forged.length < LIST_LIMIT) report.forged.push({ seq: String(r.seq), account: r.account_id, kind: r.kind, reason });
    forgedCount++;
  };
  let forgedCount = 0;
  const sums = new Map<string, { u: bigint; r: bigint }>();
  const uids = new Set<string>();
  const lifecycle = new Map<string, { reserve: number; settle: number }>();
  const legacy = createHash('sha256');

  let after = 0n;
  for (;;) {
    const rows = await store.db.selectFrom('ledger_movements').selectAll().where('seq', '>', after).orderBy('seq').limit(PAGE).execute();
    for (const r of rows) {
      report.movements.total++;
      if (r.mac === null) {
        // Older than the key: vouched for together, by the digest the key file recorded.
        report.movements.legacy++;
        legacy.update(movementLine(r));
      } else {
        if (signer && r.mac !== movementMac(signer, rowFields(r))) {
          forged(r, 'its MAC does not match its content: inserted or altered without the store\'s key');
          continue;
        }
        if (r.uid === null || uids.has(r.uid)) {
          forged(r, `a copy of another movement (uid ${r.uid})`);
          continue;
        }
        uids.add(r.uid);
        if (r.audit_hash !== null) {
          const c = claims.get(r.uid);
          if (!c || c.hash !== r.audit_hash || c.account !== r.account_id || c.amountMilli !== big(r.used_delta).toString()) {
            forged(r, `it names audit record ${r.audit_hash.slice(0, 12)}…, which does not list it`);
            continue;
          }
          c.found = true;
          report.movements.audited++;
        } else {
          report.movements.macOnly[r.kind] = (report.movements.macOnly[r.kind] ?? 0) + 1;
        }
      }
      if (r.reservation_id !== null) {
        const l = lifecycle.get(r.reservation_id) ?? { reserve: 0, settle: 0 };
        if (r.kind === 'reserve') l.reserve++;
        else l.settle++;
        lifecycle.set(r.reservation_id, l);
      }
      const s = sums.get(r.account_id) ?? { u: 0n, r: 0n };
      s.u += big(r.used_delta);
      s.r += big(r.reserved_delta);
      sums.set(r.account_id, s);
    }
    if (rows.length < PAGE) break;
    after = BigInt(rows[rows.length - 1]!.seq as DbInt);
  }

  for (const [uid, c] of claims) {
    if (!c.found && report.missing.length < LIST_LIMIT) report.missing.push({ auditSeq: c.auditSeq, account: c.account, uid });
  }
  const missingCount = [...claims.values()].filter((c) => !c.found).length;
  if (signer) {
    const expected = signer.since.legacyMovements;
    const digest = legacy.digest('hex');
    if (report.movements.legacy !== expected.count || (expected.count > 0 && digest !== expected.digest)) {
      problems.push(`movements without a MAC: ${report.movements.legacy} found, ${expected.count} existed when the signing key was created: movements were inserted without the key, or older ones altered or deleted`);
    }
  }
  for (const [id, l] of lifecycle) {
    if (report.reservations.length >= LIST_LIMIT) break;
    if (l.reserve !== 1) report.reservations.push({ reservationId: id, problem: l.reserve === 0 ? 'settled, but never reserved' : `reserved ${l.reserve} times` });
    else if (l.settle > 1) report.reservations.push({ reservationId: id, problem: `settled ${l.settle} times (committed, released or expired more than once)` });
  }

  const accounts = await store.db.selectFrom('ledger_accounts').selectAll().execute();
  report.accounts = accounts.length;
  for (const a of accounts) {
    const s = sums.get(a.id) ?? { u: 0n, r: 0n };
    if (s.u !== big(a.used) || s.r !== big(a.reserved)) {
      report.mismatches.push({ account: a.id, usedTpp: tpp(big(a.used)), historyUsedTpp: tpp(s.u), reservedTpp: tpp(big(a.reserved)), historyReservedTpp: tpp(s.r) });
    }
    const cap = bigOrNull(a.cap);
    if (cap !== null && big(a.used) + big(a.reserved) > cap) report.overCap.push(a.id);
  }

  if (opts.checkpoint) {
    const cp = opts.checkpoint.movements;
    const now = await movementDigest(store.db, { upTo: cp.seq });
    const same = now.count === cp.count && now.digest === cp.digest;
    report.checkpoint = { seq: cp.seq, count: cp.count, ok: same, ...(same ? {} : { message: `the movements up to seq ${cp.seq} are not those of the checkpoint of ${opts.checkpoint.at} (${now.count} now, ${cp.count} then): deleted or altered since` }) };
  }

  report.ok = audit.ok && !!signer && forgedCount === 0 && missingCount === 0 && report.mismatches.length === 0 && report.reservations.length === 0
    && problems.length === 0 && (report.checkpoint?.ok ?? true);
  return report;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
