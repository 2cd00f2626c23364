/**
 * Supp. No. 10 to part 748, para. 12 (certification as a VEU), for the National VEU.
 *
 * Entities headquartered in a Supp. 5 para. (a) country are eligible if they meet Sections I and
 * II of the supplement. Entities "in destinations" other than Macau, Country Group D:5 and
 * Supp. 5(a) are eligible if they meet its standards and, for an NVEU, if there is a
 * government-to-government arrangement between "their government" and the United States;
 * 748.15(a)(2)(iii)(A) names that government: the one of the country in which the NVEU wishes to
 * operate. Which entity is "in" which destination is INT-35: by default the headquarters decides
 * first (an entity headquartered in Supp. 5(a) needs no arrangement), and the arrangement any
 * other needs is with the government of the country where it would operate (none is needed to
 * operate in the United States, whose own government it would be).
 */
import type { CountryFacts } from '../../data/country-groups.js';
import type { Missing, Tri } from '../../engine/logic.js';
import { condition, type VeuCondition } from './conditions.js';

export const CITE_PARA12 = '15 CFR part 748, Supp. No. 10, para. 12; 748.15(a)(2)(iii)(A)';
const ID = 'government-to-government-arrangement';

const describe = (c: CountryFacts | undefined): string => (c ? `${c.name} (${c.code})` : 'unknown');

export interface Para12Facts {
  hq: CountryFacts | undefined;
  location: CountryFacts | undefined;
  /** The countries where the NVEU would operate (its data centers). */
  operating: CountryFacts[];
  /** An arrangement exists between the United States and the government para. 12 names. */
  arrangement: boolean | undefined;
}

export interface Para12Answer { condition: VeuCondition; needed: Tri }

/** The arrangement condition under one INT-35 reading. */
export function para12(f: Para12Facts, reading: string): Para12Answer {
  const byHq = reading !== 'location';
  const anchor = byHq ? f.hq : f.location;
  const anchorPath = byHq ? 'party.headquarters' : 'party.country';
  if (anchor === undefined) {
    if (f.arrangement === true) return answer(true, undefined, [], 'An arrangement with the United States exists, whatever para. 12 requires.');
    return answer(undefined, undefined, [{ path: anchorPath, why: `where the entity is ${byHq ? 'headquartered' : 'located'} decides whether an NVEU needs a government-to-government arrangement (Supp. 10 para. 12, INT-35)` }],
      `The entity's ${byHq ? 'headquarters is' : 'location is'} not given.`);
  }
  if (anchor.supp5a) return answer(true, false, [], `${byHq ? 'Headquartered' : 'Located'} in ${describe(anchor)}, a Supp. 5(a) country: no arrangement is required.`);
  if (anchor.macauOrD5) return answer(true, false, [], `${byHq ? 'Headquartered' : 'Located'} in ${describe(anchor)}, Macau or D:5: para. 12 does not reach it (see the Macau/D:5 conditions).`);
  // The government para. 12 names: the operating country's (headquarters reading) or the entity's own (location reading).
  const governments = byHq ? f.operating : [anchor];
  if (byHq && governments.length > 0 && governments.every((c) => c.us)) {
    return answer(true, false, [], `Headquartered in ${describe(anchor)}, outside Supp. 5(a); the NVEU would operate in the United States, whose own government needs no arrangement with itself.`);
  }
  const whose = governments.length ? governments.filter((c) => !c.us).map(describe).join(', ') : 'the country where the NVEU would operate';
  if (byHq && governments.length === 0 && f.arrangement !== true) {
    return answer(undefined, true, [{ path: 'party.dataCenters', why: 'the arrangement para. 12 asks for is with the government of the country where the NVEU would operate (748.15(a)(2)(iii)(A))' },
      ...(f.arrangement === undefined ? [{ path: 'party.govToGovArrangement', why: 'an NVEU headquartered outside Supp. 5(a) needs a government-to-government arrangement' }] : [])],
    `${byHq ? 'Headquartered' : 'Located'} in ${describe(anchor)}, outside Supp. 5(a): an arrangement between the United States and the government of the country where the NVEU would operate is required; that country is not given.`);
  }
  const lead = `${byHq ? 'Headquartered' : 'Located'} in ${describe(anchor)}, outside Supp. 5(a): an arrangement between the United States and the government of ${whose} is required`;
  if (f.arrangement === undefined) return answer(undefined, true, [{ path: 'party.govToGovArrangement', why: `an NVEU ${byHq ? 'headquartered' : 'located'} in ${describe(anchor)} needs a government-to-government arrangement with the government of ${whose}` }], `${lead}; whether one exists is not given.`);
  return answer(f.arrangement, true, [], `${lead}; ${f.arrangement ? 'one exists' : 'none exists'}.`);
}

function answer(value: Tri, needed: Tri, missing: Missing[], detail: string): Para12Answer {
  return { condition: condition(ID, { value, missing }, CITE_PARA12, detail), needed };
}
