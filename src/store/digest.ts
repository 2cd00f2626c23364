/**
 * A digest of the ledger's movements in sequence order: what a checkpoint pins (so that a
 * movement deleted or altered before it is found later), and what a signing key records about the
 * movements that existed unsigned before it (so that "unsigned because older" cannot be claimed
 * by a forgery).
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, DbInt } from './schema.js';

export interface MovementDigest {
  /** How many movements are covered. */
  count: number;
  /** The last sequence number covered (0: none). */
  seq: number;
  /** sha256 over one line per movement: seq, account, kind, deltas, reservation, audit links, uid, MAC. */
  digest: string;
}

const PAGE = 5000;

export interface MovementRowForDigest {
  seq: DbInt; account_id: string; kind: string; used_delta: DbInt; reserved_delta: DbInt; reservation_id: string | null; audit_id: string | null;
  audit_hash: string | null; uid: string | null; mac: string | null; on_date: string; at: string; actor: string; ref: string | null;
}

/** One movement as the digest reads it. */
export function movementLine(r: MovementRowForDigest): string {
  return `${r.seq}|${r.account_id}|${r.kind}|${r.used_delta}|${r.reserved_delta}|${r.reservation_id ?? ''}|${r.audit_id ?? ''}|${r.audit_hash ?? ''}|${r.uid ?? ''}|${r.mac ?? ''}|${r.on_date}|${r.at}|${r.actor}|${r.ref ?? ''}\n`;
}

/** The digest of the movements up to `upTo` (all when absent); `unsignedOnly`: only those without a MAC. */
export async function movementDigest(db: Kysely<Database>, opts: { upTo?: number; unsignedOnly?: boolean } = {}): Promise<MovementDigest> {
  const h = createHash('sha256');
  let after: bigint = 0n;
  let count = 0;
  let last = 0;
  for (;;) {
    let q = db.selectFrom('ledger_movements')
      .select(['seq', 'account_id', 'kind', 'used_delta', 'reserved_delta', 'reservation_id', 'audit_id', 'audit_hash', 'uid', 'mac', 'on_date', 'at', 'actor', 'ref'])
      .where('seq', '>', after).orderBy('seq').limit(PAGE);
    if (opts.upTo !== undefined) q = q.where('seq', '<=', opts.upTo);
    if (opts.unsignedOnly) q = q.where('mac', 'is', null);
    const rows: MovementRowForDigest[] = await q.execute();
    for (const r of rows) {
      h.update(movementLine(r));
      count++;
      last = Number(r.seq);
    }
    if (rows.length < PAGE) break;
    after = BigInt(rows[rows.length - 1]!.seq);
  }
  return { count, seq: last, digest: h.digest('hex') };
}
