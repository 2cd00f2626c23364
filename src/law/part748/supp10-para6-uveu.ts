/**
 * UVEU geographic allocations, Supp. No. 10 to part 748, para. 6.
 *
 * A UVEU headquartered in a Supp. 5 para. (a) country may not transfer or install more than 25 %
 * of its total AI computing power outside the para. (a) countries, nor more than 7 % in any single
 * country outside them. A UVEU headquartered in the United States may not have more than 50 % of
 * it outside the United States, "as measured on the reporting dates" of para. 10 (February 1,
 * August 1): on any other day that limit is met, and the check says whether the base would be
 * over it on the next reporting date unless rebalanced. "Total AI computing power" is the
 * aggregate TPP of chips at or above 3A090.a owned by the entity and all its parents and
 * subsidiaries. The United States includes its territories (15 CFR 772.1): Puerto Rico or Guam
 * count as the United States and as Supp. 5(a).
 *
 * Beside the shares: UVEU data centers may not be in Macau or D:5 (748.15(b)(2)(i)), and a UVEU
 * may not be headquartered, or have its ultimate parent headquartered, there (Supp. 10 paras. 4.a
 * and 13). A UVEU that qualifies only through its ultimate parent's headquarters is INT-36 (by
 * default the limits bind it as if it were headquartered there); when the shares are measured is
 * INT-38 (the ledger's concern). Nothing here existed before 2025-01-13.
 *
 * "More than X %" is the breach, so exactly X % is within the limit. Every comparison is exact
 * (share ≤ X ⇔ part ≤ X · total), never a rounded percentage. The fractions come from
 * data/parameters.json.
 */
import { Decimal, dec, formatExact, ZERO, type NumLike } from '../../compute/exact.js';
import { countryOn, type CountryFacts } from '../../data/country-groups.js';
import { defaultReading, readingLabel } from '../../data/interpretations.js';
import { P } from '../../data/parameters.js';
import { DATES } from '../../data/ruleset.js';
import type { Missing, Tri } from '../../engine/logic.js';

const CITE = P.uveu.citation;
const CITE_P10 = P.uveu.reportingDates.citation;
const CITE_B2I = '15 CFR 748.15(b)(2)(i)';
const CITE_OWNERSHIP = '15 CFR 748.15(a)(2)(ii)(A); part 748, Supp. No. 10, paras. 4.a and 13';
const F = {
  outside: dec(P.uveu.outsideSupp5aMaxFraction.value),
  single: dec(P.uveu.singleNonSupp5aCountryMaxFraction.value),
  us: dec(P.uveu.usHeadquarteredOutsideUsMaxFraction.value),
};

export interface UveuCheckInput {
  /** Where the UVEU is headquartered (decides which limits apply). */
  headquarters?: string;
  /** Where its ultimate parent is headquartered (a UVEU may qualify through it; INT-36). */
  ultimateParentHeadquarters?: string;
  /** Installed base of .a-level TPP per country, for the entity, its parents and subsidiaries. */
  installedByCountry: Record<string, NumLike>;
  /** A proposed installation or transfer in: would it breach a limit? */
  proposed?: { country: string; tpp: NumLike };
  date: string;
  /** Interpretation readings (INT-36). */
  readings?: Record<string, string>;
}

export type LimitStatus = 'met' | 'not_met' | 'unknown' | 'not_applicable';

export interface UveuLimit {
  id: string;
  status: LimitStatus;
  citation: string;
  /** The maximum share, e.g. "0.25". */
  limitFraction: string;
  /** The maximum TPP at the current total (limitFraction × total). */
  limitTpp: string;
  actualTpp: string;
  share: string;
  /** limitTpp − actualTpp (negative: over the limit by that much). */
  headroomTpp: string;
  /** The largest further installation in the limited area that keeps this limit (the total grows with it). */
  maxAdditionalTpp: string;
  /** For the single-country limit: the country with the largest share. */
  country?: string;
  /** The 50 % limit: the reporting date it is measured on (the date itself when it is one). */
  measuredOn?: string;
  /** The 50 % limit on another day: what the same base would be on the next reporting date. */
  onNextReportingDate?: LimitStatus;
  detail: string;
}

export interface UveuCheck {
  status: LimitStatus;
  citation: string;
  date: string;
  /** False before 2025-01-13: para. 6 did not exist, nothing is measured. */
  inForce: boolean;
  /** Feb 1 or Aug 1 (para. 10): the 50 % rule is measured on these dates. */
  reportingDate: boolean;
  nextReportingDate: string;
  headquarters: string | null;
  ultimateParentHeadquarters: string | null;
  totalTpp: string;
  proposed?: { country: string; tpp: string };
  /** The same limits before the proposed installation. */
  before?: Record<LimitId, LimitStatus>;
  limits: Record<LimitId, UveuLimit>;
  byCountry: { country: string; tpp: string; share: string; supp5a: boolean }[];
  missing: Missing[];
  /** Interpretations whose reading decided part of this answer (INT-36). */
  interpretations: { id: string; reading: string; label: string }[];
  notes: string[];
}

export type LimitId = 'outsideSupp5a' | 'singleCountry' | 'outsideUs' | 'excludedLocations' | 'headquartersOutsideMacauD5';
export const LIMIT_IDS: readonly LimitId[] = ['outsideSupp5a', 'singleCountry', 'outsideUs', 'excludedLocations', 'headquartersOutsideMacauD5'];

const shareOf = (part: Decimal, total: Decimal): string => (total.isZero() ? '0' : part.div(total).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed());
const describe = (c: CountryFacts): string => `${c.name} (${c.code})`;

/** The largest x with part + x ≤ f · (total + x), i.e. x ≤ (f·total − part) / (1 − f); never negative. */
function maxAdditional(f: Decimal, part: Decimal, total: Decimal): Decimal {
  const x = f.times(total).minus(part).div(dec(1).minus(f));
  return x.isNegative() ? ZERO : x.toDecimalPlaces(3, Decimal.ROUND_DOWN);
}

function limit(id: LimitId, f: Decimal, part: Decimal, total: Decimal, applies: Tri, what: string, country?: CountryFacts): UveuLimit {
  const limitTpp = f.times(total);
  const status: LimitStatus = applies === undefined ? 'unknown' : !applies ? 'not_applicable' : part.lte(limitTpp) ? 'met' : 'not_met';
  const pct = f.times(100).toFixed();
  return {
    id,
    status,
    citation: CITE,
    limitFraction: f.toFixed(),
    limitTpp: formatExact(limitTpp),
    actualTpp: formatExact(part),
    share: shareOf(part, total),
    headroomTpp: formatExact(limitTpp.minus(part)),
    maxAdditionalTpp: formatExact(maxAdditional(f, part, total)),
    ...(country ? { country: country.code } : {}),
    detail: status === 'not_applicable'
      ? `Applies only to UVEUs headquartered ${id === 'outsideUs' ? 'in the United States' : 'in a Supp. 5 para. (a) country'}.`
      : `${formatExact(part)} TPP ${what} of ${formatExact(total)} TPP total (${shareOf(part, total)}); at most ${pct} % (${formatExact(limitTpp)} TPP) allowed${status === 'unknown' ? '; whether the limit applies depends on the headquarters' : status === 'met' ? '' : `: over by ${formatExact(part.minus(limitTpp))} TPP`}.`,
  };
}

interface Base { total: Decimal; outside: Decimal; outsideUs: Decimal; largest?: { c: CountryFacts; tpp: Decimal }; excluded: CountryFacts[]; rows: { c: CountryFacts; tpp: Decimal }[] }

function base(installed: Map<string, Decimal>, date: string): Base {
  const rows = [...installed.entries()].map(([code, tpp]) => ({ c: countryOn(code, date), tpp }));
  // Aliases (HK → CN) fold into one country.
  const merged = new Map<string, { c: CountryFacts; tpp: Decimal }>();
  for (const r of rows) {
    const m = merged.get(r.c.code);
    merged.set(r.c.code, m ? { c: m.c, tpp: m.tpp.plus(r.tpp) } : r);
  }
  const all = [...merged.values()].sort((a, b) => a.c.code.localeCompare(b.c.code));
  let total = ZERO, outside = ZERO, outsideUs = ZERO;
  let largest: Base['largest'];
  for (const r of all) {
    total = total.plus(r.tpp);
    if (!r.c.us) outsideUs = outsideUs.plus(r.tpp);
    if (!r.c.supp5a) {
      outside = outside.plus(r.tpp);
      if (!largest || r.tpp.gt(largest.tpp)) largest = r;
    }
  }
  return { total, outside, outsideUs, largest, excluded: all.filter((r) => r.c.macauOrD5 && r.tpp.gt(0)).map((r) => r.c), rows: all };
}

/** Which limits bind the UVEU (INT-36 for one that qualifies only through its ultimate parent). */
interface Applies { supp5a: Tri; us: Tri; throughParent: boolean }

function applicability(hq: CountryFacts | undefined, uph: CountryFacts | undefined, int36: string): Applies {
  if (hq?.supp5a) return { supp5a: true, us: hq.us, throughParent: false };
  const literal = int36 === 'own_headquarters';
  if (hq) return literal ? { supp5a: false, us: false, throughParent: true } : { supp5a: true, us: uph ? uph.us : undefined, throughParent: true };
  // Headquarters unknown: under the default a parent in Supp. 5(a) brings the 25 % / 7 % limits either way.
  return { supp5a: literal ? undefined : uph?.supp5a ? true : undefined, us: undefined, throughParent: false };
}

function evaluate(b: Base, hq: CountryFacts | undefined, uph: CountryFacts | undefined, a: Applies, date: string): Record<LimitId, UveuLimit> {
  const largest = b.largest ?? { c: undefined, tpp: ZERO };
  const single = limit('singleCountry', F.single, largest.tpp, b.total, a.supp5a, `in ${largest.c ? `${describe(largest.c)}, the largest single country outside Supp. 5(a)` : 'any single country outside Supp. 5(a)'}`, largest.c);
  const excludedTpp = b.excluded.reduce((s, c) => s.plus(b.rows.find((r) => r.c.code === c.code)!.tpp), ZERO);
  const tie = [hq, uph].filter((c): c is CountryFacts => c !== undefined && c.macauOrD5);
  const ownership: LimitStatus = tie.length ? 'not_met' : hq === undefined ? 'unknown' : 'met';
  const pseudo = (id: LimitId, status: LimitStatus, citation: string, actual: Decimal, detail: string): UveuLimit => ({
    id, status, citation, limitFraction: '0', limitTpp: '0', actualTpp: formatExact(actual), share: shareOf(actual, b.total), headroomTpp: '0', maxAdditionalTpp: '0', detail,
  });
  return {
    outsideSupp5a: limit('outsideSupp5a', F.outside, b.outside, b.total, a.supp5a, 'outside Supp. 5 para. (a) countries'),
    singleCountry: single,
    outsideUs: onReportingDates(limit('outsideUs', F.us, b.outsideUs, b.total, a.us, 'outside the United States'), date),
    excludedLocations: pseudo('excludedLocations', b.excluded.length ? 'not_met' : 'met', CITE_B2I, excludedTpp,
      b.excluded.length ? `UVEU data centers may not be in Macau or D:5: ${b.excluded.map(describe).join(', ')}.` : 'No installation in Macau or D:5.'),
    headquartersOutsideMacauD5: pseudo('headquartersOutsideMacauD5', ownership, CITE_OWNERSHIP, ZERO,
      tie.length
        ? `A UVEU may not be headquartered, or have its ultimate parent headquartered, in Macau or D:5 (no ownership, control or influence tied to them, Supp. 10 para. 13): ${tie.map(describe).join(', ')}.`
        : hq === undefined ? 'The headquarters is not given.' : `Headquarters ${describe(hq)}${uph ? `, ultimate parent ${describe(uph)}` : ' (the ultimate parent\'s headquarters is not given)'}: not in Macau or D:5.`),
  };
}

/** Para. 6: the 50 % limit is "measured on the reporting dates"; on another day it is met, with what the next one would show. */
function onReportingDates(l: UveuLimit, date: string): UveuLimit {
  if (l.status === 'not_applicable' || l.status === 'unknown') return l;
  if (isReportingDate(date)) return { ...l, measuredOn: date };
  const next = nextReportingDate(date);
  return {
    ...l,
    status: 'met',
    measuredOn: next,
    onNextReportingDate: l.status,
    detail: l.status === 'met'
      ? `${l.detail} Measured on the reporting dates (para. 10); within it on the next one, ${next}, if nothing changes.`
      : `${l.detail.replace(/: over by .* TPP\.$/, '.')} Met today: the 50 % limit is measured on the reporting dates (para. 10); over on the next one, ${next}, unless rebalanced (by ${formatExact(dec(l.actualTpp).minus(dec(l.limitTpp)))} TPP at today's total).`,
  };
}

function overall(limits: Record<LimitId, UveuLimit>): LimitStatus {
  const s = Object.values(limits).map((l) => l.status);
  if (s.includes('not_met')) return 'not_met';
  if (s.includes('unknown')) return 'unknown';
  return 'met';
}

export function isReportingDate(date: string): boolean {
  return P.uveu.reportingDates.value.includes(date.slice(5));
}

export function nextReportingDate(date: string): string {
  const year = Number(date.slice(0, 4));
  const days = [...P.uveu.reportingDates.value].sort();
  for (const md of days) if (`${year}-${md}` >= date) return `${year}-${md}`;
  return `${year + 1}-${days[0]}`;
}

export function uveuCheck(x: UveuCheckInput): UveuCheck {
  const hq = x.headquarters ? countryOn(x.headquarters, x.date) : undefined;
  const uph = x.ultimateParentHeadquarters ? countryOn(x.ultimateParentHeadquarters, x.date) : undefined;
  const int36 = x.readings?.['INT-36'] ?? defaultReading('INT-36');
  const inForce = x.date >= DATES.effective;
  const installed = new Map<string, Decimal>();
  for (const [code, tpp] of Object.entries(x.installedByCountry)) installed.set(code, (installed.get(code) ?? ZERO).plus(dec(tpp)));
  const before = base(installed, x.date);
  let after = before;
  if (x.proposed) {
    const next = new Map(installed);
    next.set(x.proposed.country, (next.get(x.proposed.country) ?? ZERO).plus(dec(x.proposed.tpp)));
    after = base(next, x.date);
  }
  const a = applicability(hq, uph, int36);
  const limits = notInForce(evaluate(after, hq, uph, a, x.date), inForce);
  const notes: string[] = [
    'Total AI computing power: the aggregate TPP of chips at or above 3A090.a owned by the UVEU and all its parents and subsidiaries (installed base per country as given). The United States includes its territories (15 CFR 772.1).',
    `The 50 % rule for U.S.-headquartered UVEUs is measured on the reporting dates of para. 10 (${P.uveu.reportingDates.value.join(', ')}); the next is ${nextReportingDate(x.date)} (${CITE_P10}).`,
  ];
  if (!inForce) notes.unshift(`Supp. No. 10 to part 748 was added by the AI Diffusion rule, effective ${DATES.effective}; on ${x.date} no UVEU limit existed.`);
  const interpretations: UveuCheck['interpretations'] = [];
  if (a.throughParent) {
    interpretations.push({ id: 'INT-36', reading: int36, label: readingLabel('INT-36', int36) });
    notes.push(int36 === 'own_headquarters'
      ? `${describe(hq!)} is not a Supp. 5 para. (a) country: under INT-36 own_headquarters para. 6 sets no limit for a UVEU that qualifies through its ultimate parent.`
      : `${describe(hq!)} is not a Supp. 5 para. (a) country: the UVEU can qualify only through its ultimate parent${uph ? ` (${describe(uph)})` : ''}, and under INT-36 the para. 6 limits bind it as if it were headquartered there.`);
    if (uph && !uph.supp5a && !uph.macauOrD5) notes.push(`Neither the UVEU nor its ultimate parent is headquartered in Supp. 5(a): it cannot hold a UVEU (748.15(b)(2)(i)).`);
  }
  const missing: Missing[] = [];
  if (!hq) missing.push({ path: 'uveu.headquarters', why: 'the 25 %, 7 % and 50 % limits depend on where the UVEU is headquartered' });
  if (hq && a.us === undefined) missing.push({ path: 'uveu.ultimateParentHeadquarters', why: 'a UVEU headquartered outside Supp. 5(a) qualifies through its ultimate parent; the 50 % limit binds it when that parent is U.S.-headquartered (INT-36)' });
  const out: UveuCheck = {
    status: inForce ? overall(limits) : 'unknown',
    citation: CITE,
    date: x.date,
    inForce,
    reportingDate: isReportingDate(x.date),
    nextReportingDate: nextReportingDate(x.date),
    headquarters: hq?.code ?? null,
    ultimateParentHeadquarters: uph?.code ?? null,
    totalTpp: formatExact(after.total),
    limits,
    byCountry: after.rows.map((r) => ({ country: r.c.code, tpp: formatExact(r.tpp), share: shareOf(r.tpp, after.total), supp5a: r.c.supp5a })),
    missing,
    interpretations,
    notes,
  };
  if (x.proposed) {
    out.proposed = { country: countryOn(x.proposed.country, x.date).code, tpp: formatExact(dec(x.proposed.tpp)) };
    const b = notInForce(evaluate(before, hq, uph, a, x.date), inForce);
    out.before = Object.fromEntries(LIMIT_IDS.map((id) => [id, b[id].status])) as Record<LimitId, LimitStatus>;
  }
  return out;
}

/** Before 2025-01-13 no limit existed: every limit is unknown, never met or breached. */
function notInForce(limits: Record<LimitId, UveuLimit>, inForce: boolean): Record<LimitId, UveuLimit> {
  if (inForce) return limits;
  return Object.fromEntries(LIMIT_IDS.map((id) => [id, { ...limits[id], status: 'unknown' as const, detail: `Not in force: Supp. No. 10 to part 748 took effect on ${DATES.effective}.` }])) as Record<LimitId, UveuLimit>;
}
