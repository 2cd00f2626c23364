/**
 * Data Center VEU, 15 CFR 748.15 as revised by the AI Diffusion rule.
 *
 * - (b)(2)(i) Universal VEU (UVEU): the entity must be headquartered in a Supp. 5 para. (a)
 *   destination, or have its ultimate parent headquartered there; its data centers may be
 *   anywhere except Macau and Country Group D:5.
 * - (b)(2)(ii) National VEU (NVEU): the entity may be headquartered, have its ultimate parent
 *   headquartered, or be located in a destination of Country Group A, B or D:1-D:4, but not Macau
 *   or D:5; its data centers may be anywhere except Macau and D:5.
 * - (a)(2)(iii)(A) and Note 1 to (d): an NVEU authorization covers one country; each further
 *   country needs its own.
 * - (a)(2)(iii)(B), Table 1: each NVEU may hold, per country, a cumulative installed base of
 *   .a-level TPP that grows by quarter; the figures are the permitted installed base during the
 *   quarter (not increments), are separate from the country allocations, and chips lost to
 *   attrition do not count.
 * - Supp. No. 10, para. 12: an entity in a destination other than Macau, D:5 or Supp. 5(a) needs,
 *   for NVEU status, a government-to-government arrangement between its government and the US.
 *
 * aidr's data holds Country Groups A:5, A:6, D:1, D:3, D:4 and D:5, not A:1-A:4, B or D:2. A
 * country in none of the groups aidr knows is therefore "unknown" for the NVEU link test, never
 * assumed to be in A or B.
 */
import { defaultReading, readingLabel } from '../../data/interpretations.js';
import { Decimal, dec, formatExact, type NumLike } from '../../compute/exact.js';
import { countryOn, type CountryFacts } from '../../data/country-groups.js';
import { P } from '../../data/parameters.js';
import { DATES } from '../../data/ruleset.js';
import { or, type Finding, type Missing, type Tri } from '../../engine/logic.js';
import { condition, statusOf, type VeuCondition, type VeuStatus } from './conditions.js';

export const CITE_748_15 = {
  b2i: '15 CFR 748.15(b)(2)(i)',
  b2ii: '15 CFR 748.15(b)(2)(ii)',
  a2iiA: '15 CFR 748.15(a)(2)(ii)(A)',
  a2iiiA: '15 CFR 748.15(a)(2)(iii)(A)',
  table1: P.nveu.citation,
  noteD: '15 CFR 748.15(d), Note 1',
  supp10p12: '15 CFR part 748, Supp. No. 10, para. 12',
};

/** The facts about a (prospective) Data Center VEU that its eligibility turns on. */
export interface VeuParty {
  name?: string;
  /** Where the entity is located (ISO alpha-2). */
  country?: string;
  headquarters?: string;
  ultimateParentHeadquarters?: string;
  /** Countries of the data centers it would operate under the authorization. */
  dataCenters?: string[];
  /** A US government-to-government arrangement with the government of the entity's country exists (Supp. 10 para. 12). */
  govToGovArrangement?: boolean;
}

export interface VeuAuthorization {
  status: VeuStatus;
  conditions: VeuCondition[];
  missing: Missing[];
}

export interface VeuEligibility {
  date: string;
  uveu: VeuAuthorization;
  nveu: VeuAuthorization;
  /** What either authorization requires besides these conditions (certifications, notices), with citations. */
  requirements: { what: string; citation: string }[];
  warnings: string[];
  /** Interpretations whose reading decided part of this answer. */
  interpretations: { id: string; reading: string; label: string }[];
}

const describe = (c: CountryFacts | undefined): string => (c ? `${c.name} (${c.code})` : 'unknown');

function facts(code: string | undefined, date: string): CountryFacts | undefined {
  return code === undefined ? undefined : countryOn(code, date);
}

/** Country Groups A, B or D:1-D:4 as far as aidr's data can tell: true, false (Macau/D:5), or unknown. */
function inABD14(c: CountryFacts): Tri {
  if (c.macauOrD5) return false;
  const known = ['A:5', 'A:6', 'D:1', 'D:3', 'D:4'] as const;
  if (known.some((g) => c.groups.has(g))) return true;
  return undefined;
}

/** `readings` picks interpretation readings (INT-22); the default is the register's first. */
export function dataCenterVeuEligibility(party: VeuParty, date: string, readings: Record<string, string> = {}): VeuEligibility {
  const hq = facts(party.headquarters, date);
  const uph = facts(party.ultimateParentHeadquarters, date);
  const loc = facts(party.country, date);
  const dcs = (party.dataCenters ?? []).map((c) => facts(c, date)!);
  const warnings: string[] = [];
  if (date < DATES.effective) warnings.push(`Data Center VEU authorizations were added by the AI Diffusion rule, effective ${DATES.effective}; on ${date} they did not exist.`);

  const missingHq: Missing[] = [
    ...(hq ? [] : [{ path: 'party.headquarters', why: 'where the entity is headquartered decides which Data Center VEU it may hold' }]),
    ...(uph ? [] : [{ path: 'party.ultimateParentHeadquarters', why: 'where its ultimate parent is headquartered decides which Data Center VEU it may hold' }]),
  ];

  // Where the data centers may be: anywhere except Macau and D:5 (both kinds).
  const excluded = dcs.filter((c) => c.macauOrD5);
  const dcFinding: Finding = dcs.length === 0
    ? { value: undefined, missing: [{ path: 'party.dataCenters', why: 'Data Center VEU data centers may not be in Macau or Country Group D:5' }] }
    : { value: excluded.length === 0, missing: [] };
  const dcDetail = dcs.length === 0
    ? 'The data center locations are not given.'
    : excluded.length > 0
      ? `Data centers in ${excluded.map(describe).join(', ')}: Macau and D:5 are excluded.`
      : `Data centers in ${dcs.map(describe).join(', ')}: none in Macau or D:5.`;

  // UVEU: headquartered, or ultimate parent headquartered, in Supp. 5(a).
  const uveuHq = or(hq?.supp5a, uph?.supp5a);
  const uveuConds = [
    condition('headquarters-or-parent-in-supp5a', { value: uveuHq, missing: uveuHq === undefined ? missingHq : [] }, CITE_748_15.b2i,
      `Headquarters ${describe(hq)}, ultimate parent headquarters ${describe(uph)}: a UVEU must be headquartered, or have its ultimate parent headquartered, in Supp. 5 para. (a).`),
    condition('data-centers-outside-macau-d5', dcFinding, CITE_748_15.b2i, dcDetail),
  ];

  // NVEU: linked to A, B or D:1-D:4 by headquarters, parent or location, and not Macau/D:5.
  const links = [hq, uph, loc];
  const link = or(...links.map((c) => (c === undefined ? undefined : inABD14(c))));
  const unlisted = links.filter((c): c is CountryFacts => c !== undefined && inABD14(c) === undefined);
  const linkMissing: Missing[] = link === undefined
    ? [
        ...missingHq,
        ...(loc ? [] : [{ path: 'party.country', why: 'where the entity is located can qualify it for NVEU' }]),
        ...unlisted.map((c) => ({ path: 'party', why: `whether ${describe(c)} is in Country Group A or B (aidr's data lists only A:5, A:6, D:1, D:3, D:4, D:5; see Supp. No. 1 to part 740)` })),
      ]
    : [];
  // INT-22: whether the Macau/D:5 exception reaches headquarters and parent, or only the location.
  const int22 = readings['INT-22'] ?? defaultReading('INT-22');
  const tied = int22 === 'location_only' ? [loc] : links;
  const d5Tie = or(...tied.map((c) => c?.macauOrD5));
  const allKnown = tied.every((c) => c !== undefined);
  const notD5: Tri = d5Tie === true ? false : allKnown ? true : undefined;
  const headquartersOnlyTie = or(hq?.macauOrD5, uph?.macauOrD5) === true && loc?.macauOrD5 !== true;
  const interpretations = headquartersOnlyTie ? [{ id: 'INT-22', reading: int22, label: readingLabel('INT-22', int22) }] : [];
  const nveuConds: VeuCondition[] = [
    condition('headquarters-parent-or-location-in-a-b-d1-d4', { value: link, missing: linkMissing }, CITE_748_15.b2ii,
      `Headquarters ${describe(hq)}, ultimate parent ${describe(uph)}, location ${describe(loc)}: an NVEU must be headquartered, have its ultimate parent headquartered, or be located in Country Group A, B or D:1-D:4.${unlisted.length ? ` aidr cannot tell whether ${unlisted.map(describe).join(', ')} ${unlisted.length > 1 ? 'are' : 'is'} in Group A or B.` : ''}`),
    condition('not-macau-d5', { value: notD5, missing: notD5 === undefined ? [...missingHq, ...(loc ? [] : [{ path: 'party.country', why: 'an NVEU may not be located in Macau or D:5' }])] : [] }, CITE_748_15.b2ii,
      d5Tie === true
        ? int22 === 'location_only'
          ? 'The entity is located in Macau or D:5, which (b)(2)(ii) excepts.'
          : 'The entity is headquartered, has its ultimate parent headquartered, or is located in Macau or D:5, which (b)(2)(ii) excepts (INT-22: all three links).'
        : int22 === 'location_only'
          ? `The entity is not located in Macau or D:5${headquartersOnlyTie ? '; under INT-22 location_only its Macau/D:5 headquarters does not bar NVEU' : ''}.`
          : 'Neither the headquarters, the ultimate parent nor the location is known to be in Macau or D:5.'),
    condition('data-centers-outside-macau-d5', dcFinding, CITE_748_15.b2ii, dcDetail),
    govToGov(party, loc),
  ];

  const requirements = [
    { what: 'The owner of the advanced computing ICs applies and certifies that it will follow Supp. No. 10 to part 748; an operator that is not the owner needs its own authorization.', citation: `${CITE_748_15.a2iiA}; ${CITE_748_15.a2iiiA}` },
    { what: `Certify to Supp. No. 10 paras. 14, 15 and 18 (security) on or before ${DATES.supp10Security}.`, citation: `${CITE_748_15.a2iiA}; ${CITE_748_15.a2iiiA}` },
    { what: `UVEU: notify BIS ${P.uveu.newLocationNoticeDays.value} days before exports to a new data center location, and ${P.uveu.intraCompanyTransferNoticeDays.value} days before moving chips between countries.`, citation: `${P.uveu.newLocationNoticeDays.citation}; ${P.uveu.intraCompanyTransferNoticeDays.citation}` },
    { what: 'UVEU: keep the geographic allocations of Supp. No. 10 para. 6 (see `uveu`).', citation: P.uveu.citation },
    { what: 'NVEU: keep the per-country installed base within Table 1 (see `nveu`); it does not count toward the country allocation.', citation: CITE_748_15.table1 },
  ];
  const nveuCountries = [...new Set(dcs.map((c) => c.code))];
  if (nveuCountries.length > 1) {
    requirements.push({ what: `NVEU: an authorization covers one country; data centers in ${nveuCountries.join(', ')} need ${nveuCountries.length} separate NVEU authorizations.`, citation: `${CITE_748_15.a2iiiA}; ${CITE_748_15.noteD}` });
  }

  const finish = (conds: VeuCondition[]): VeuAuthorization => {
    const status = warnings.length && date < DATES.effective ? 'unknown' : statusOf(conds);
    return { status, conditions: conds, missing: dedupe(conds.flatMap((c) => c.missing)) };
  };
  return { date, uveu: finish(uveuConds), nveu: finish(nveuConds), requirements, warnings, interpretations };
}

/** Supp. 10 para. 12: entities outside Macau, D:5 and Supp. 5(a) need a government-to-government arrangement for NVEU. */
function govToGov(party: VeuParty, loc: CountryFacts | undefined): VeuCondition {
  if (!loc) {
    return condition('government-to-government-arrangement', { value: undefined, missing: [{ path: 'party.country', why: 'an NVEU located outside Supp. 5(a) needs a government-to-government arrangement' }] }, CITE_748_15.supp10p12, 'The entity\'s location is not given.');
  }
  if (loc.supp5a || loc.macauOrD5) {
    return condition('government-to-government-arrangement', true, CITE_748_15.supp10p12,
      loc.supp5a ? `${describe(loc)} is a Supp. 5(a) destination: no arrangement is required.` : `${describe(loc)} is Macau or D:5 (see not-macau-d5).`);
  }
  const given = party.govToGovArrangement;
  return condition('government-to-government-arrangement',
    { value: given, missing: given === undefined ? [{ path: 'party.govToGovArrangement', why: `an NVEU in ${describe(loc)} needs a government-to-government arrangement with the US` }] : [] },
    CITE_748_15.supp10p12,
    given === undefined ? `Whether ${describe(loc)} has a government-to-government arrangement with the US is not given.` : given ? `${describe(loc)} has a government-to-government arrangement with the US.` : `${describe(loc)} has no government-to-government arrangement with the US.`);
}

function dedupe(ms: Missing[]): Missing[] {
  const seen = new Map<string, Missing>();
  for (const m of ms) if (!seen.has(`${m.path}|${m.why}`)) seen.set(`${m.path}|${m.why}`, m);
  return [...seen.values()];
}

// ---- NVEU installed-base allocation, Table 1 -----------------------------------------------------

export interface NveuCap { quarter: string; capTpp: Decimal; citation: string }

/** "2025Q3" for 2025-08-01. */
export function quarterOf(date: string): string {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}Q${Math.floor((month - 1) / 3) + 1}`;
}

const TABLE1 = P.nveu.quarters.map((q) => ({ quarter: q.quarter, capTpp: dec(q.tpp) }));

/** The per-NVEU per-country installed-base limit in force on the date; undefined outside Table 1. */
export function nveuCap(date: string): NveuCap | undefined {
  const q = quarterOf(date);
  const row = TABLE1.find((r) => r.quarter === q);
  return row ? { quarter: q, capTpp: row.capTpp, citation: CITE_748_15.table1 } : undefined;
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
  const notes = [`Table 1 figures are the cumulative installed base permitted during the quarter, per NVEU per country; they do not count toward or affect the country allocation, and chips lost to attrition (loss, damage, failure, relocation, resale) do not count (${CITE_748_15.table1}).`];
  const fitsFrom = TABLE1.find((r) => r.quarter >= quarter && after.lte(r.capTpp))?.quarter ?? null;
  if (country?.macauOrD5) {
    return { status: 'not_met', citation: CITE_748_15.b2ii, country: country.code, quarter, capTpp: cap ? formatExact(cap.capTpp) : null, installedTpp: formatExact(installed), ...(proposed ? { proposedTpp: formatExact(proposed) } : {}), afterTpp: formatExact(after), headroomTpp: null, fitsFrom: null, detail: `${describe(country)} is Macau or D:5: NVEU data centers may not be there.`, notes };
  }
  if (!cap) {
    return { status: 'unknown', citation: CITE_748_15.table1, ...(country ? { country: country.code } : {}), quarter, capTpp: null, installedTpp: formatExact(installed), ...(proposed ? { proposedTpp: formatExact(proposed) } : {}), afterTpp: formatExact(after), headroomTpp: null, fitsFrom,
      detail: `Table 1 sets NVEU allocations for ${TABLE1[0]!.quarter} to ${TABLE1[TABLE1.length - 1]!.quarter} only; it sets none for ${quarter}.`, notes };
  }
  const ok = after.lte(cap.capTpp);
  const headroom = cap.capTpp.minus(after);
  return {
    status: ok ? 'met' : 'not_met',
    citation: cap.citation,
    ...(country ? { country: country.code } : {}),
    quarter,
    capTpp: formatExact(cap.capTpp),
    installedTpp: formatExact(installed),
    ...(proposed ? { proposedTpp: formatExact(proposed) } : {}),
    afterTpp: formatExact(after),
    headroomTpp: formatExact(headroom),
    fitsFrom,
    detail: `Installed base ${proposed ? `after the proposed ${formatExact(proposed)} TPP ` : ''}${formatExact(after)} TPP against the ${quarter} limit of ${formatExact(cap.capTpp)} TPP: ${ok ? `within it, ${formatExact(headroom)} TPP to spare` : `over it by ${formatExact(headroom.neg())} TPP${fitsFrom ? `; it fits from ${fitsFrom}` : '; it fits no quarter of Table 1'}`}.`,
    notes,
  };
}

