/**
 * A UVEU as the ledger keeps it: one group of `uveu:VEU:CC` accounts (the entity, its parents and
 * subsidiaries, per country), a group row that every change of the group locks first, and a
 * profile with where the UVEU and its ultimate parent are headquartered, recorded with its first
 * installation. Every installation, transfer and import is measured against Supp. 10 para. 6 on
 * the whole group after the change (INT-38: attrition too, reported rather than refused).
 *
 * A UVEU headquartered in Macau or D:5, or whose ultimate parent is, holds no UVEU at all
 * (748.15(a)(2)(ii)(A); Supp. 10 paras. 4.a and 13): the ledger refuses to record its installations.
 */
import { sql, type Kysely } from 'kysely';
import { formatExact } from '../compute/exact.js';
import { countryOn } from '../data/country-groups.js';
import { InputError } from '../engine/context.js';
import { uveuCheck, type LimitId, type UveuCheck } from '../law/part748/supp10-para6-uveu.js';
import type { Database } from '../store/schema.js';
import { country, parseAccountId, type Readings } from './accounts.js';
import { big, fromMilli } from './amount.js';
import { LedgerError } from './errors.js';
import { iso } from './request.js';

export interface UveuProfile { headquarters: string; ultimateParentHeadquarters: string | null }
export interface UveuGiven { headquarters?: string; ultimateParentHeadquarters?: string }

const prefix = (veu: string) => `uveu:${encodeURIComponent(veu)}:`;

/** Take the group's lock: two changes in two countries cannot each pass against a base that lacks the other. */
export async function lockGroup(trx: Kysely<Database>, veu: string): Promise<void> {
  const groupId = `${prefix(veu)}*`;
  await trx.insertInto('ledger_accounts').values({ id: groupId, kind: 'uveu_group', key: veu, period: '', cap: null, used: 0n, reserved: 0n, created_at: iso(undefined) })
    .onConflict((oc) => oc.column('id').doNothing()).execute();
  await trx.updateTable('ledger_accounts').set({ used: sql`used` }).where('id', '=', groupId).execute();
}

/** Checked country codes as the rule reads them (Hong Kong is China); paths name the fields. */
export function givenCodes(g: UveuGiven, date: string, path = ''): UveuGiven {
  const at = (f: string) => (path ? `${path}.${f}` : f);
  return {
    ...(g.headquarters !== undefined ? { headquarters: countryOn(country(g.headquarters, at('headquarters')), date).code } : {}),
    ...(g.ultimateParentHeadquarters !== undefined ? { ultimateParentHeadquarters: countryOn(country(g.ultimateParentHeadquarters, at('ultimateParentHeadquarters')), date).code } : {}),
  };
}

/**
 * The UVEU's profile (under the group lock): recorded with its first installation, then fixed. A
 * later change may omit the headquarters; one naming another is refused. The ultimate parent's
 * headquarters is recorded the first time it is given. A Macau/D:5 tie is refused (nothing is written).
 */
export async function profileOf(trx: Kysely<Database>, veu: string, given: UveuGiven, date: string, actor: string, at: string, path = ''): Promise<UveuProfile> {
  const field = (f: string) => (path ? `${path}.${f}` : f);
  const row = await trx.selectFrom('uveu_profiles').selectAll().where('veu', '=', veu).executeTakeFirst();
  let profile: UveuProfile;
  if (row) {
    if (given.headquarters && given.headquarters !== row.headquarters) throw new InputError(field('headquarters'), `UVEU ${veu} is recorded as headquartered in ${row.headquarters} (with its first installation); the Supp. 10 para. 6 limits are checked against that, not ${given.headquarters}`);
    if (given.ultimateParentHeadquarters && row.ultimate_parent_headquarters && given.ultimateParentHeadquarters !== row.ultimate_parent_headquarters) {
      throw new InputError(field('ultimateParentHeadquarters'), `UVEU ${veu} is recorded with its ultimate parent headquartered in ${row.ultimate_parent_headquarters}, not ${given.ultimateParentHeadquarters}`);
    }
    profile = { headquarters: row.headquarters, ultimateParentHeadquarters: row.ultimate_parent_headquarters ?? given.ultimateParentHeadquarters ?? null };
    refuseTies(veu, profile, date);
    if (!row.ultimate_parent_headquarters && given.ultimateParentHeadquarters) {
      await trx.updateTable('uveu_profiles').set({ ultimate_parent_headquarters: given.ultimateParentHeadquarters }).where('veu', '=', veu).execute();
    }
    return profile;
  }
  if (!given.headquarters) throw new InputError(field('headquarters'), 'a UVEU\'s first installation needs its headquarters country (Supp. 10 para. 6 limits depend on it); it is recorded for the later ones');
  profile = { headquarters: given.headquarters, ultimateParentHeadquarters: given.ultimateParentHeadquarters ?? null };
  refuseTies(veu, profile, date);
  await trx.insertInto('uveu_profiles').values({ veu, headquarters: profile.headquarters, ultimate_parent_headquarters: profile.ultimateParentHeadquarters, recorded_at: at, actor }).execute();
  return profile;
}

function refuseTies(veu: string, p: UveuProfile, date: string): void {
  const tied = [p.headquarters, p.ultimateParentHeadquarters].filter((c): c is string => c !== null && countryOn(c, date).macauOrD5);
  if (tied.length) {
    throw new LedgerError('not_eligible', `UVEU ${veu} is not eligible: ${p.headquarters === tied[0] ? `headquartered in ${tied[0]}` : `its ultimate parent is headquartered in ${tied[0]}`}, Macau or Country Group D:5 (15 CFR 748.15(a)(2)(ii)(A); part 748, Supp. No. 10, paras. 4.a and 13)`);
  }
}

/** The group's installed base per country (used + reserved), as exact decimal strings. */
export async function installedBase(trx: Kysely<Database>, veu: string): Promise<Record<string, string>> {
  const rows = await trx.selectFrom('ledger_accounts').select(['id', 'used', 'reserved']).where('kind', '=', 'uveu')
    .where('id', 'like', `${prefix(veu).replace(/[%_\\]/g, '\\$&')}%`).execute();
  const installed: Record<string, string> = {};
  for (const r of rows) {
    const c = parseAccountId(r.id);
    if (c.kind === 'uveu') installed[c.country] = formatExact(fromMilli(big(r.used) + big(r.reserved)));
  }
  return installed;
}

/** The limits a change may not breach: the 25 % / 7 % shares, Macau/D:5, and the 50 % share when measured (a reporting date). */
export function breaches(check: UveuCheck): LimitId[] {
  return (['outsideSupp5a', 'singleCountry', 'outsideUs', 'excludedLocations', 'headquartersOutsideMacauD5'] as const).filter((k) => check.limits[k].status === 'not_met');
}

export function limitError(check: UveuCheck, what = 'UVEU limit exceeded'): LedgerError {
  const b = breaches(check);
  return new LedgerError('uveu_limit', `${what}: ${b.map((k) => `${check.limits[k].detail} (${check.limits[k].citation})`).join(' ')}`);
}

/** What a person should know after a change that passed: the 50 % limit on the next reporting date, INT-36. */
export function uveuWarnings(check: UveuCheck): string[] {
  const out: string[] = [];
  const us = check.limits.outsideUs;
  if (us.onNextReportingDate === 'not_met') out.push(`UVEU over the 50 % limit outside the United States on the next reporting date, ${us.measuredOn}, unless rebalanced (${us.actualTpp} TPP outside of ${check.totalTpp}; part 748, Supp. No. 10, paras. 6 and 10).`);
  for (const i of check.interpretations) out.push(`${i.id} (${i.reading}): ${i.label}.`);
  if (check.limits.outsideUs.status === 'unknown') out.push('Whether the 50 % limit binds this UVEU is unknown: give its ultimate parent\'s headquarters (INT-36).');
  if (check.ultimateParentHeadquarters === null) out.push('The UVEU\'s ultimate parent\'s headquarters is not recorded (--ultimate-parent-headquarters): a UVEU whose ultimate parent is headquartered in Macau or D:5 holds none (part 748, Supp. No. 10, para. 13).');
  return out;
}

/** Supp. 10 para. 6 for the group after a change: `moves` per country (negative: out). */
export function groupCheck(installed: Record<string, string>, profile: UveuProfile, change: { country: string; tpp: string } | undefined, date: string, readings: Readings): UveuCheck {
  return uveuCheck({
    headquarters: profile.headquarters,
    ...(profile.ultimateParentHeadquarters ? { ultimateParentHeadquarters: profile.ultimateParentHeadquarters } : {}),
    installedByCountry: installed,
    ...(change ? { proposed: change } : {}),
    date,
    readings: { ...readings },
  });
}
