/**
 * NVEU installed-base allocation, 15 CFR 748.15(a)(2)(iii)(B) and its Table 1.
 *
 * Each NVEU may hold, in each country it is authorized for, a cumulative installed base of TPP
 * (3A090.a, 4A090.a and the corresponding .z items) that grows by quarter from 2025 Q1 to 2027.
 * The figures are the installed base permitted during the quarter, not increments; they do not
 * count toward the country allocations; chips lost to attrition (loss, damage, failure,
 * relocation, resale) no longer count. The table exists from the rule's effective date
 * (2025-01-13): before it there was no NVEU and no figure, and after 2027 Q4 the table sets none
 * (the preamble leaves later years to an annual review), so aidr assumes none either way.
 */
import { Decimal, dec, formatExact, type NumLike } from '../../compute/exact.js';
import { countryOn } from '../../data/country-groups.js';
import { P } from '../../data/parameters.js';
import { DATES } from '../../data/ruleset.js';

export const CITE_TABLE1 = P.nveu.citation;
const CITE_B2II = '15 CFR 748.15(b)(2)(ii)';

export interface NveuCap { quarter: string; capTpp: Decimal; citation: string }

/** "2025Q3" for 2025-08-01. */
export function quarterOf(date: string): string {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}Q${Math.floor((month - 1) / 3) + 1}`;
}

const TABLE1 = P.nveu.quarters.map((q) => ({ quarter: q.quarter, capTpp: dec(q.tpp) }));
export const TABLE1_FIRST = TABLE1[0]!.quarter;
export const TABLE1_LAST = TABLE1[TABLE1.length - 1]!.quarter;

/** The per-NVEU per-country installed-base limit in force on the date; undefined before 2025-01-13 and after Table 1. */
export function nveuCap(date: string): NveuCap | undefined {
  if (date < DATES.effective) return undefined;
  const q = quarterOf(date);
  const row = TABLE1.find((r) => r.quarter === q);
  return row ? { quarter: q, capTpp: row.capTpp, citation: CITE_TABLE1 } : undefined;
}

/** Why no Table 1 figure applies on a date (undefined when one does). */
export function noNveuCapReason(date: string): string | undefined {
  if (date < DATES.effective) return `NVEU authorizations and Table 1 were added by the AI Diffusion rule, effective ${DATES.effective}; on ${date} they did not exist`;
  if (!nveuCap(date)) return `Table 1 to 748.15(a)(2)(iii)(B) sets NVEU allocations for ${TABLE1_FIRST} to ${TABLE1_LAST} only; it sets none for ${quarterOf(date)}, and aidr will not assume one`;
  return undefined;
}

export interface NveuCheckInput {
  country?: string;
  /** Installed base of .a-level TPP the NVEU holds in the country (attrition excluded). */
  installedTpp: NumLike;
  /** A proposed installation: would it fit? */
  proposedTpp?: NumLike;
  date: string;
}

export interface NveuCheck {
  status: 'met' | 'not_met' | 'unknown';
  citation: string;
  country?: string;
  quarter: string;
  capTpp: string | null;
  installedTpp: string;
  proposedTpp?: string;
  afterTpp: string;
  headroomTpp: string | null;
  /** The first quarter of Table 1 (from this one on) whose limit the installed base fits, or null. */
  fitsFrom: string | null;
  detail: string;
  notes: string[];
}

export function nveuCheck(x: NveuCheckInput): NveuCheck {
  const installed = dec(x.installedTpp);
  const proposed = x.proposedTpp === undefined ? undefined : dec(x.proposedTpp);
  const after = proposed ? installed.plus(proposed) : installed;
  const quarter = quarterOf(x.date);
  const cap = nveuCap(x.date);
  const country = x.country ? countryOn(x.country, x.date) : undefined;
  const notes = [`Table 1 figures are the cumulative installed base permitted during the quarter, per NVEU per country; they do not count toward or affect the country allocation, and chips lost to attrition (loss, damage, failure, relocation, resale) do not count (${CITE_TABLE1}).`];
  const base = {
    ...(country ? { country: country.code } : {}),
    quarter,
    installedTpp: formatExact(installed),
    ...(proposed ? { proposedTpp: formatExact(proposed) } : {}),
    afterTpp: formatExact(after),
  };
  const fitsFrom = TABLE1.find((r) => r.quarter >= quarter && r.quarter >= quarterOf(DATES.effective) && after.lte(r.capTpp))?.quarter ?? null;
  if (x.date < DATES.effective) {
    return { status: 'unknown', citation: CITE_TABLE1, ...base, capTpp: null, headroomTpp: null, fitsFrom, detail: `${noNveuCapReason(x.date)!}.`, notes };
  }
  if (country?.macauOrD5) {
    return { status: 'not_met', citation: CITE_B2II, ...base, capTpp: cap ? formatExact(cap.capTpp) : null, headroomTpp: null, fitsFrom: null, detail: `${country.name} (${country.code}) is Macau or D:5: NVEU data centers may not be there.`, notes };
  }
  if (!cap) {
    return { status: 'unknown', citation: CITE_TABLE1, ...base, capTpp: null, headroomTpp: null, fitsFrom, detail: `${noNveuCapReason(x.date)!}.`, notes };
  }
  const ok = after.lte(cap.capTpp);
  const headroom = cap.capTpp.minus(after);
  return {
    status: ok ? 'met' : 'not_met',
    citation: cap.citation,
    ...base,
    capTpp: formatExact(cap.capTpp),
    headroomTpp: formatExact(headroom),
    fitsFrom,
    detail: `Installed base ${proposed ? `after the proposed ${formatExact(proposed)} TPP ` : ''}${formatExact(after)} TPP against the ${quarter} limit of ${formatExact(cap.capTpp)} TPP: ${ok ? `within it, ${formatExact(headroom)} TPP to spare` : `over it by ${formatExact(headroom.neg())} TPP${fitsFrom ? `; it fits from ${fitsFrom}` : '; it fits no quarter of Table 1'}`}.`,
    notes,
  };
}
