/**
 * UVEU geographic allocations, Supp. No. 10 to part 748, para. 6.
 *
 * A UVEU headquartered in a Supp. 5 para. (a) country may not transfer or install more than 25 %
 * of its total AI computing power outside the para. (a) countries, nor more than 7 % in any single
 * country outside them. A UVEU headquartered in the United States may not have more than 50 % of
 * it outside the United States, measured on the para. 10 reporting dates (February 1, August 1).
 * "Total AI computing power" is the aggregate TPP of chips at or above 3A090.a owned by the entity
 * and all its parents and subsidiaries. UVEU data centers may not be in Macau or D:5
 * (748.15(b)(2)(i)).
 *
 * "More than X %" is the breach, so exactly X % is within the limit. Every comparison is exact
 * (share ≤ X ⇔ part ≤ X · total), never a rounded percentage. The fractions come from
 * data/parameters.json.
 */
import { Decimal, dec, formatExact, ZERO, type NumLike } from '../../compute/exact.js';
import { countryOn, type CountryFacts } from '../../data/country-groups.js';
import { P } from '../../data/parameters.js';
import type { Missing } from '../../engine/logic.js';
import { CITE_748_15 } from './dc-veu-748-15.js';

const CITE = P.uveu.citation;
const CITE_P10 = P.uveu.reportingDates.citation;
const F = {
  outside: dec(P.uveu.outsideSupp5aMaxFraction.value),
  single: dec(P.uveu.singleNonSupp5aCountryMaxFraction.value),
  us: dec(P.uveu.usHeadquarteredOutsideUsMaxFraction.value),
};

export interface UveuCheckInput {
  /** Where the UVEU is headquartered (decides which limits apply). */
  headquarters?: string;
  /** Installed base of .a-level TPP per country, for the entity, its parents and subsidiaries. */
  installedByCountry: Record<string, NumLike>;
  /** A proposed installation or transfer in: would it breach a limit? */
  proposed?: { country: string; tpp: NumLike };
  date: string;
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
  detail: string;
}

export interface UveuCheck {
  status: LimitStatus;
  citation: string;
  date: string;
  /** Feb 1 or Aug 1 (para. 10): the 50 % rule is measured on these dates. */
  reportingDate: boolean;
  nextReportingDate: string;
  headquarters: string | null;
  totalTpp: string;
  proposed?: { country: string; tpp: string };
  /** The same limits before the proposed installation. */
  before?: Record<LimitId, LimitStatus>;
  limits: Record<LimitId, UveuLimit>;
  byCountry: { country: string; tpp: string; share: string; supp5a: boolean }[];
  missing: Missing[];
  notes: string[];
}

export type LimitId = 'outsideSupp5a' | 'singleCountry' | 'outsideUs' | 'excludedLocations';

const shareOf = (part: Decimal, total: Decimal): string => (total.isZero() ? '0' : part.div(total).toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed());

/** The largest x with part + x ≤ f · (total + x), i.e. x ≤ (f·total − part) / (1 − f); never negative. */
function maxAdditional(f: Decimal, part: Decimal, total: Decimal): Decimal {
  const x = f.times(total).minus(part).div(dec(1).minus(f));
  return x.isNegative() ? ZERO : x.toDecimalPlaces(3, Decimal.ROUND_DOWN);
}

function limit(id: LimitId, f: Decimal, part: Decimal, total: Decimal, applies: boolean | undefined, what: string, country?: CountryFacts): UveuLimit {
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

function evaluate(b: Base, hq: CountryFacts | undefined): Record<LimitId, UveuLimit> {
  const supp5aHq = hq === undefined ? undefined : hq.supp5a;
  const usHq = hq === undefined ? undefined : hq.us;
  const largest = b.largest ?? { c: undefined, tpp: ZERO };
  const single = limit('singleCountry', F.single, largest.tpp, b.total, supp5aHq, `in ${largest.c ? `${largest.c.name} (${largest.c.code}), the largest single country outside Supp. 5(a)` : 'any single country outside Supp. 5(a)'}`, largest.c);
  const excludedStatus: LimitStatus = b.excluded.length ? 'not_met' : 'met';
  return {
    outsideSupp5a: limit('outsideSupp5a', F.outside, b.outside, b.total, supp5aHq, 'outside Supp. 5 para. (a) countries'),
    singleCountry: single,
    outsideUs: limit('outsideUs', F.us, b.outsideUs, b.total, usHq, 'outside the United States'),
    excludedLocations: {
      id: 'excludedLocations',
      status: excludedStatus,
      citation: CITE_748_15.b2i,
      limitFraction: '0',
      limitTpp: '0',
      actualTpp: formatExact(b.excluded.reduce((s, c) => s.plus(b.rows.find((r) => r.c.code === c.code)!.tpp), ZERO)),
      share: shareOf(b.excluded.reduce((s, c) => s.plus(b.rows.find((r) => r.c.code === c.code)!.tpp), ZERO), b.total),
      headroomTpp: '0',
      maxAdditionalTpp: '0',
      detail: b.excluded.length ? `UVEU data centers may not be in Macau or D:5: ${b.excluded.map((c) => `${c.name} (${c.code})`).join(', ')}.` : 'No installation in Macau or D:5.',
    },
  };
}

function overall(limits: Record<LimitId, UveuLimit>): LimitStatus {
  const s = Object.values(limits).map((l) => l.status);
  if (s.includes('not_met')) return 'not_met';
  if (s.includes('unknown')) return 'unknown';
  return 'met';
}

export function nextReportingDate(date: string): string {
  const year = Number(date.slice(0, 4));
  const days = [...P.uveu.reportingDates.value].sort();
  for (const md of days) if (`${year}-${md}` >= date) return `${year}-${md}`;
  return `${year + 1}-${days[0]}`;
}

export function uveuCheck(x: UveuCheckInput): UveuCheck {
  const hq = x.headquarters ? countryOn(x.headquarters, x.date) : undefined;
  const installed = new Map<string, Decimal>();
  for (const [code, tpp] of Object.entries(x.installedByCountry)) installed.set(code, (installed.get(code) ?? ZERO).plus(dec(tpp)));
  const before = base(installed, x.date);
  let after = before;
  if (x.proposed) {
    const next = new Map(installed);
    next.set(x.proposed.country, (next.get(x.proposed.country) ?? ZERO).plus(dec(x.proposed.tpp)));
    after = base(next, x.date);
  }
  const limits = evaluate(after, hq);
  const notes: string[] = [
    'Total AI computing power: the aggregate TPP of chips at or above 3A090.a owned by the UVEU and all its parents and subsidiaries (installed base per country as given).',
    `The 50 % rule for U.S.-headquartered UVEUs is measured on the reporting dates of para. 10 (${P.uveu.reportingDates.value.join(', ')}); the next is ${nextReportingDate(x.date)} (${CITE_P10}).`,
  ];
  if (hq && !hq.supp5a) notes.push(`${hq.name} (${hq.code}) is not a Supp. 5 para. (a) country: para. 6 states its limits only for UVEUs headquartered in one (a UVEU qualifying through its ultimate parent is outside its literal scope; check with BIS).`);
  if (x.proposed) notes.push(`A UVEU must notify BIS ${P.uveu.intraCompanyTransferNoticeDays.value} days before moving chips between countries or building in a new country (${P.uveu.intraCompanyTransferNoticeDays.citation}), and ${P.uveu.newLocationNoticeDays.value} days before exports to a new data center location (${P.uveu.newLocationNoticeDays.citation}).`);
  const out: UveuCheck = {
    status: overall(limits),
    citation: CITE,
    date: x.date,
    reportingDate: P.uveu.reportingDates.value.includes(x.date.slice(5)),
    nextReportingDate: nextReportingDate(x.date),
    headquarters: hq?.code ?? null,
    totalTpp: formatExact(after.total),
    limits,
    byCountry: after.rows.map((r) => ({ country: r.c.code, tpp: formatExact(r.tpp), share: shareOf(r.tpp, after.total), supp5a: r.c.supp5a })),
    missing: hq ? [] : [{ path: 'uveu.headquarters', why: 'the 25 %, 7 % and 50 % limits depend on where the UVEU is headquartered' }],
    notes,
  };
  if (x.proposed) {
    out.proposed = { country: countryOn(x.proposed.country, x.date).code, tpp: formatExact(dec(x.proposed.tpp)) };
    const b = evaluate(before, hq);
    out.before = { outsideSupp5a: b.outsideSupp5a.status, singleCountry: b.singleCountry.status, outsideUs: b.outsideUs.status, excludedLocations: b.excludedLocations.status };
  }
  return out;
}
