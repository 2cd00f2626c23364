/**
 * Migration 008: the parties register, screening jobs, and one normalization of ledger keys.
 *
 * - `parties`: a party as a record (id normalized as every party id is, the id as given, name,
 *   country, headquarters, ultimate parent's headquarters and id, sector, aliases), so order lines
 *   can name `consignee_id` instead of restating the facts (`aidr parties import`).
 * - `screening_jobs` and `screening_chunks`: `POST /v1/screenings` jobs, their input and their
 *   results in chunks, so that a job cut off by a restart keeps its partial results and resumes
 *   where it stopped (on PostgreSQL pg-boss, in its own schema, hands the job to one instance).
 * - Account keys: LPP and AIA accounts are keyed by the ultimate consignee, now normalized
 *   (`normalizeKey`: NFC, whitespace, case; NFKC and invisible characters since migration 010). Accounts made before under spellings that now
 *   collide (`ACME-BR`, `acme-br`, `ACME-BR `) are merged into the normalized account through
 *   the ledger's movement primitive (`move`): a `merge-out` movement empties the old account and a
 *   `merge-in` movement fills the normalized one, so every balance still equals the sum of its
 *   movements; open reservations follow their room; one audit record (kind `account-merge`)
 *   lists every merge, and a merged LPP account over its cap is reported in it.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../open.js';
import type { Database } from '../schema.js';
import type { Signer } from '../signing.js';
import { appendAudit } from '../audit.js';
import { accountId, parseAccountId } from '../../ledger/accounts.js';
import { big, bigOrNull, tpp } from '../../ledger/amount.js';
import { move } from '../../ledger/move.js';
import { rulesetVersion } from '../../engine/version.js';

export function migration008(dialect: Dialect): Migration {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('parties')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('given_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('country', 'text')
        .addColumn('headquarters', 'text')
        .addColumn('ultimate_parent_headquarters', 'text')
        .addColumn('ultimate_parent_id', 'text')
        .addColumn('sector', 'text')
        .addColumn('aliases', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('screening_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('input_format', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('input', blob, (c) => c.notNull())
        .addColumn('input_bytes', 'bigint', (c) => c.notNull())
        .addColumn('rows_done', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_invalid', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('last_line', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('chunks', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('summary', 'text')
        .addColumn('error', 'text')
        .addColumn('owner', 'text')
        .addCheckConstraint('screening_jobs_state', sql`state in ('queued', 'running', 'done', 'failed', 'interrupted')`)
        .execute();
      await db.schema
        .createTable('screening_chunks')
        .addColumn('job_id', 'text', (c) => c.notNull().references('screening_jobs.id'))
        .addColumn('chunk', 'bigint', (c) => c.notNull())
        .addColumn('first_line', 'bigint', (c) => c.notNull())
        .addColumn('last_line', 'bigint', (c) => c.notNull())
        .addColumn('rows', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('screening_chunks_pk', ['job_id', 'chunk'])
        .execute();

      await mergeCollidingAccounts(db as Kysely<Database>);
    },
  };
}

/**
 * Every LPP and AIA account whose id is not its normalized id (`normalizeKey` as this version
 * defines it): moved into the normalized account. Migration 010 runs it again for NFKC.
 */
export async function mergeCollidingAccounts(db: Kysely<Database>, actor = 'aidr:migration-008', signer?: Signer): Promise<void> {
  const rows = await db.selectFrom('ledger_accounts').selectAll().where('kind', 'in', ['lpp', 'aia']).orderBy('id').execute();
  const at = new Date().toISOString();
  const merges: { from: string; to: string; usedTpp: string; reservedTpp: string }[] = [];
  const overCap: string[] = [];
  for (const r of rows) {
    let target: string;
    try {
      target = accountId(parseAccountId(r.id));
    } catch {
      continue; // an id this version cannot read is left as it is
    }
    if (target === r.id) continue;
    const used = big(r.used);
    const reserved = big(r.reserved);
    const ref = parseAccountId(target);
    await db.insertInto('ledger_accounts')
      .values({ id: target, kind: r.kind, key: ref.kind === 'lpp' ? `${ref.reading}:${ref.entity}` : ref.kind === 'aia' ? ref.entity : r.key, period: r.period, cap: r.cap, used: 0n, reserved: 0n, created_at: at })
      .onConflict((oc) => oc.column('id').doNothing()).execute();
    const onDate = at.slice(0, 10);
    if (used !== 0n || reserved !== 0n) {
      await move(db, { accountId: r.id, kind: 'merge-out', usedDelta: -used, reservedDelta: -reserved, onDate, at, actor, ref: `merged into ${target}` });
      const after = await move(db, { accountId: target, kind: 'merge-in', usedDelta: used, reservedDelta: reserved, onDate, at, actor, ref: `merged from ${r.id}` });
      const cap = bigOrNull(r.cap);
      if (after && cap !== null && after.used + after.reserved > cap && !overCap.includes(target)) overCap.push(target);
    }
    await db.updateTable('ledger_reservations').set({ account_id: target }).where('account_id', '=', r.id).execute();
    merges.push({ from: r.id, to: target, usedTpp: tpp(used), reservedTpp: tpp(reserved) });
  }
  if (merges.length === 0) return;
  await appendAudit(db, {
    at, actor, kind: 'account-merge', input: { merges }, options: {}, output: { merged: merges.length, overCap },
    rulesetVersion: rulesetVersion(), effects: { movements: merges.flatMap((m) => [{ account: m.from, kind: 'merge-out' }, { account: m.to, kind: 'merge-in' }]) },
  // 008: unsigned (a store from before it has no key yet; the key created afterwards counts this
  // record and these movements among those that predate it, migration 007). 010: signed.
  }, signer);
}
