/**
 * Data Center VEU eligibility, 15 CFR 748.15 as revised by the AI Diffusion rule.
 *
 * - (b)(2)(i) Universal VEU (UVEU): the entity must be headquartered in a Supp. 5 para. (a)
 *   destination, or have its ultimate parent headquartered there; its data centers may be
 *   anywhere except Macau and Country Group D:5.
 * - (a)(2)(ii)(A): a UVEU certifies that it will follow all of Supp. No. 10. Para. 13 asks that the
 *   VEU, "to include all subsidiary and parent entities", have no foreign ownership, control or
 *   influence factors related to Macau or D:5, and para. 4.a bars transfers to entities located or
 *   headquartered there: an entity headquartered in Macau or D:5, or whose ultimate parent is,
 *   cannot be a UVEU. (a)(2)(iii)(A) makes an NVEU adhere to the same supplement, so the same holds
 *   for it, whatever INT-22 says of (b)(2)(ii).
 * - (b)(2)(ii) National VEU (NVEU): the entity may be headquartered, have its ultimate parent
 *   headquartered, or be located in a destination of Country Group A, B or D:1-D:4, but not Macau
 *   or D:5; its data centers may be anywhere except Macau and D:5.
 * - (a)(2)(iii)(A) and Note 1 to (d): an NVEU authorization covers one country; each further
 *   country needs its own.
 * - Supp. No. 10, para. 12: the government-to-government arrangement an NVEU may need
 *   (supp10-para12.ts, INT-35).
 * - (a)(2)(ii)(A), (a)(2)(iii)(A): certify to follow Supp. 10 paras. 14, 15 and 18 on or before
 *   2026-01-15 (INT-41 for an applicant after that date).
 *
 * Nothing here existed before the rule took effect (2025-01-13): an earlier date gets a warning
 * and no "eligible". A country in none of the Country Groups aidr lists (A:1-A:6, B, D:1, D:3,
 * D:4; every D:2 member is in one of those or in D:5) is "unknown" for the NVEU link, never
 * assumed to be in one.
 */
import { defaultReading, readingLabel } from '../../data/interpretations.js';
import { countryOn, inGroupsABD1to4, type CountryFacts } from '../../data/country-groups.js';
import { P } from '../../data/parameters.js';
import { DATES } from '../../data/ruleset.js';
import { TIMELINE } from '../../data/regimes.js';
import { or, type Finding, type Missing, type Tri } from '../../engine/logic.js';
import { condition, statusOf, type VeuCondition, type VeuStatus } from './conditions.js';
import { para12 } from './supp10-para12.js';
import { CITE_TABLE1 } from './table1-nveu.js';

export const CITE_748_15 = {
  b2i: '15 CFR 748.15(b)(2)(i)',
  b2ii: '15 CFR 748.15(b)(2)(ii)',
  a2iiA: '15 CFR 748.15(a)(2)(ii)(A)',
  a2iiiA: '15 CFR 748.15(a)(2)(iii)(A)',
  table1: CITE_TABLE1,
  noteD: '15 CFR 748.15(d), Note 1',
  supp10p13: '15 CFR part 748, Supp. No. 10, paras. 4.a and 13',
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
  /** A US government-to-government arrangement exists with the government Supp. 10 para. 12 names (INT-35). */
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

/** The Data Center VEU of 89 FR 80080 (timeline T5). */
const DC_VEU_2024 = TIMELINE.find((t) => t.id === 'T5')!.date!;

const describe = (c: CountryFacts | undefined): string => (c ? `${c.name} (${c.code})` : 'unknown');

function facts(code: string | undefined, date: string): CountryFacts | undefined {
  return code === undefined ? undefined : countryOn(code, date);
}

/** Country Groups A, B or D:1-D:4 as far as aidr's data can tell: true, false (Macau/D:5), or unknown. */
function inABD14(c: CountryFacts): Tri {
  if (c.macauOrD5) return false;
  return inGroupsABD1to4(c) ? true : undefined;
}

/** `readings` picks interpretation readings (INT-22, INT-35, INT-41); the default is the register's first. */
export function dataCenterVeuEligibility(party: VeuParty, date: string, readings: Record<string, string> = {}): VeuEligibility {
  const reading = (id: string) => readings[id] ?? defaultReading(id);
  const hq = facts(party.headquarters, date);
  const uph = facts(party.ultimateParentHeadquarters, date);
  const loc = facts(party.country, date);
  const dcs = (party.dataCenters ?? []).map((c) => facts(c, date)!);
  const warnings: string[] = [];
  const notInForce = date < DATES.effective;
  // The Data Center VEU itself dates from 89 FR 80080 (2024-10-02); the UVEU/NVEU split, Table 1
  // and Supp. No. 10 are the rule's (red team, 2026-12-06).
  if (notInForce) warnings.push(`UVEU and NVEU authorizations, their limits (Supp. No. 10 to part 748, Table 1 to 748.15) and these eligibility tests were added by the AI Diffusion rule, effective ${DATES.effective}; on ${date} they did not exist. ${date >= DC_VEU_2024 ? `The Data Center VEU of 89 FR 80080 (from ${DC_VEU_2024}) applied then, under conditions aidr does not model.` : `The Data Center VEU itself was added by 89 FR 80080 on ${DC_VEU_2024}.`}`);
  const used: VeuEligibility['interpretations'] = [];
  const rely = (id: string) => {
    if (!used.some((u) => u.id === id)) used.push({ id, reading: reading(id), label: readingLabel(id, reading(id)) });
  };

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

  // UVEU: headquartered, or ultimate parent headquartered, in Supp. 5(a); no Macau/D:5 owner.
  const uveuHq = or(hq?.supp5a, uph?.supp5a);
  const uveuConds = [
    condition('headquarters-or-parent-in-supp5a', { value: uveuHq, missing: uveuHq === undefined ? missingHq : [] }, CITE_748_15.b2i,
      `Headquarters ${describe(hq)}, ultimate parent headquarters ${describe(uph)}: a UVEU must be headquartered, or have its ultimate parent headquartered, in Supp. 5 para. (a).`),
    ownership(hq, uph, missingHq, CITE_748_15.a2iiA),
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
        ...unlisted.map((c) => ({ path: 'party', why: `whether ${describe(c)} is in Country Group A, B or D:1-D:4 (aidr's data lists it in none; see Supp. No. 1 to part 740)` })),
      ]
    : [];
  // INT-22: whether the Macau/D:5 exception reaches headquarters and parent, or only the location.
  const int22 = reading('INT-22');
  const tied = int22 === 'location_only' ? [loc] : links;
  const d5Tie = or(...tied.map((c) => c?.macauOrD5));
  const allKnown = tied.every((c) => c !== undefined);
  const notD5: Tri = d5Tie === true ? false : allKnown ? true : undefined;
  if (or(hq?.macauOrD5, uph?.macauOrD5) === true && loc?.macauOrD5 !== true) rely('INT-22');

  // Supp. 10 para. 12 (INT-35): both readings are computed; the interpretation is listed where it matters.
  const p12Facts = { hq, location: loc, operating: dcs, arrangement: party.govToGovArrangement };
  const p12 = para12(p12Facts, reading('INT-35'));
  const p12Other = para12(p12Facts, reading('INT-35') === 'location' ? 'headquarters' : 'location');
  if (p12.needed === true || p12.condition.status !== p12Other.condition.status) rely('INT-35');

  const nveuConds: VeuCondition[] = [
    condition('headquarters-parent-or-location-in-a-b-d1-d4', { value: link, missing: linkMissing }, CITE_748_15.b2ii,
      `Headquarters ${describe(hq)}, ultimate parent ${describe(uph)}, location ${describe(loc)}: an NVEU must be headquartered, have its ultimate parent headquartered, or be located in Country Group A, B or D:1-D:4.${unlisted.length ? ` aidr's data lists ${unlisted.map(describe).join(', ')} in none of these groups.` : ''}`),
    condition('not-macau-d5', { value: notD5, missing: notD5 === undefined ? [...missingHq, ...(loc ? [] : [{ path: 'party.country', why: 'an NVEU may not be located in Macau or D:5' }])] : [] }, CITE_748_15.b2ii,
      d5Tie === true
        ? int22 === 'location_only'
          ? 'The entity is located in Macau or D:5, which (b)(2)(ii) excepts.'
          : 'The entity is headquartered, has its ultimate parent headquartered, or is located in Macau or D:5, which (b)(2)(ii) excepts (INT-22: all three links).'
        : int22 === 'location_only'
          ? `The entity is not located in Macau or D:5${or(hq?.macauOrD5, uph?.macauOrD5) === true ? '; under INT-22 location_only its Macau/D:5 headquarters does not bar NVEU under (b)(2)(ii) (Supp. 10 para. 13 still does)' : ''}.`
          : 'Neither the headquarters, the ultimate parent nor the location is known to be in Macau or D:5.'),
    ownership(hq, uph, missingHq, CITE_748_15.a2iiiA),
    condition('data-centers-outside-macau-d5', dcFinding, CITE_748_15.b2ii, dcDetail),
    p12.condition,
  ];

  const requirements = [
    { what: 'The owner of the advanced computing ICs applies and certifies that it will follow Supp. No. 10 to part 748; an operator that is not the owner needs its own authorization.', citation: `${CITE_748_15.a2iiA}; ${CITE_748_15.a2iiiA}` },
    securityRequirement(date, reading('INT-41')),
    { what: `UVEU: notify BIS ${P.uveu.newLocationNoticeDays.value} days before exports to a new data center location, and ${P.uveu.intraCompanyTransferNoticeDays.value} days before moving chips between countries.`, citation: `${P.uveu.newLocationNoticeDays.citation}; ${P.uveu.intraCompanyTransferNoticeDays.citation}` },
    { what: 'UVEU: keep the geographic allocations of Supp. No. 10 para. 6 (see `uveu`).', citation: P.uveu.citation },
    { what: 'NVEU: keep the per-country installed base within Table 1 (see `nveu`); it does not count toward the country allocation.', citation: CITE_748_15.table1 },
  ];
  if (date > DATES.supp10Security) rely('INT-41');
  const nveuCountries = [...new Set(dcs.map((c) => c.code))];
  if (nveuCountries.length > 1) {
    requirements.push({ what: `NVEU: an authorization covers one country; data centers in ${nveuCountries.join(', ')} need ${nveuCountries.length} separate NVEU authorizations.`, citation: `${CITE_748_15.a2iiiA}; ${CITE_748_15.noteD}` });
  }

  const finish = (conds: VeuCondition[]): VeuAuthorization => {
    const status = notInForce ? 'unknown' : statusOf(conds);
    return { status, conditions: conds, missing: dedupe(conds.flatMap((c) => c.missing)) };
  };
  return { date, uveu: finish(uveuConds), nveu: finish(nveuConds), requirements, warnings, interpretations: used };
}

/** Supp. 10 para. 13 (and 4.a): no headquarters or ultimate parent in Macau or D:5, for either kind of VEU. */
function ownership(hq: CountryFacts | undefined, uph: CountryFacts | undefined, missingHq: Missing[], own: string): VeuCondition {
  const tie = or(hq?.macauOrD5, uph?.macauOrD5);
  const tiedTo = [hq?.macauOrD5 ? `headquarters ${describe(hq)}` : '', uph?.macauOrD5 ? `ultimate parent ${describe(uph)}` : ''].filter(Boolean).join(' and ');
  return condition('no-macau-d5-ownership', { value: tie === undefined ? undefined : !tie, missing: tie === undefined ? missingHq : [] }, `${own}; ${CITE_748_15.supp10p13}`,
    tie === true
      ? `The VEU, with all its parent and subsidiary entities, may have no ownership, control or influence tied to Macau or D:5 (Supp. 10 para. 13): its ${tiedTo} ${tiedTo.includes(' and ') ? 'are' : 'is'} there.`
      : tie === false
        ? `Neither the headquarters (${describe(hq)}) nor the ultimate parent (${describe(uph)}) is in Macau or D:5.`
        : 'Whether the entity or its ultimate parent is headquartered in Macau or D:5 is not known (Supp. 10 para. 13).');
}

/** Supp. 10 paras. 14, 15 and 18: certify on or before 2026-01-15; after it, INT-41. */
function securityRequirement(date: string, int41: string): { what: string; citation: string } {
  const citation = `${CITE_748_15.a2iiA}; ${CITE_748_15.a2iiiA}`;
  if (date <= DATES.supp10Security) return { what: `Certify to follow Supp. No. 10 paras. 14, 15 and 18 (security) on or before ${DATES.supp10Security}.`, citation };
  return int41 === 'certify_future'
    ? { what: `Certify to follow Supp. No. 10 paras. 14, 15 and 18 (security); the date set for them, ${DATES.supp10Security}, has passed (INT-41 certify_future: a certification of future conduct suffices).`, citation }
    : { what: `Comply with Supp. No. 10 paras. 14, 15 and 18 (security) when applying and certify it: the date to follow them, ${DATES.supp10Security}, has passed (INT-41).`, citation };
}

function dedupe(ms: Missing[]): Missing[] {
  const seen = new Map<string, Missing>();
  for (const m of ms) if (!seen.has(`${m.path}|${m.why}`)) seen.set(`${m.path}|${m.why}`, m);
  return [...seen.values()];
}
