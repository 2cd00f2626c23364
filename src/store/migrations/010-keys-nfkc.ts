/**
 * Migration 010: party ids and ledger keys normalized with NFKC and without invisible format
 * characters (src/parties/key.ts). A fullwidth `ＮＫ`, `N\u200bK` (a zero-width space) or `N\u00adK`
 * (a soft hyphen) each opened an LPP account with its own 26,900,000 TPP cap (red team, 2026-12-06).
 *
 * - LPP and AIA accounts whose id is not their id under the new normalization are merged into it
 *   through the ledger's movement primitive, with one audit record, as migration 008 did.
 * - Parties whose stored id is not their id as given, normalized anew, are re-keyed; one that would
 *   take an id another party already has is left as it is (both stay readable by
 *   `aidr parties show`; a lookup finds the party that has the id) and said in the audit record.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../open.js';
import type { Database } from '../schema.js';
import { appendAudit } from '../audit.js';
import { normalizeKey } from '../../parties/key.js';
import { rulesetVersion } from '../../engine/version.js';
import { mergeCollidingAccounts } from './008-parties-screenings-keys.js';
import { bindMigrationSigner } from '../open.js';
import type { Signer } from '../signing.js';

const ACTOR = 'aidr:migration-010';

export function migration010(_dialect: Dialect, signer: Signer | undefined): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const trx = db as Kysely<Database>;
      // What it writes is signed as every commit is: a store whose records are signed needs its key
      // here (a new store, or one from before signing, has none yet and needs none: migration 007).
      if (signer) bindMigrationSigner(trx, signer);
      else if (await trx.selectFrom('audit_log').select('seq').where('key_id', 'is not', null).limit(1).executeTakeFirst()) {
        throw new Error('aidr: migration 010 re-keys ledger accounts and signs what it writes: give this store\'s signing key (AIDR_SIGNING_KEY or --signing-key)');
      }
      await mergeCollidingAccounts(trx, ACTOR, signer);
      await rekeyParties(trx, signer);
    },
  };
}

async function rekeyParties(db: Kysely<Database>, signer: Signer | undefined): Promise<void> {
  const rows = await db.selectFrom('parties').select(['id', 'given_id']).orderBy('id').execute();
  const taken = new Set(rows.map((r) => r.id));
  const rekeyed: { from: string; to: string }[] = [];
  const kept: { id: string; wouldBe: string }[] = [];
  for (const r of rows) {
    const to = normalizeKey(r.given_id);
    if (to === r.id) continue;
    if (taken.has(to)) {
      kept.push({ id: r.id, wouldBe: to });
      continue;
    }
    await db.updateTable('parties').set({ id: to }).where('id', '=', r.id).execute();
    taken.delete(r.id);
    taken.add(to);
    rekeyed.push({ from: r.id, to });
  }
  if (!rekeyed.length && !kept.length) return;
  await appendAudit(db, {
    at: new Date().toISOString(), actor: ACTOR, kind: 'parties-rekey', input: { rekeyed, kept }, options: {}, output: { rekeyed: rekeyed.length, kept: kept.length },
    rulesetVersion: rulesetVersion(), effects: {},
  }, signer);
}
