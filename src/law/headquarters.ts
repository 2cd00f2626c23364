/**
 * The rule's recurring headquarters tests, three-valued. The rule asks them of "an entity
 * headquartered in, or whose ultimate parent company is headquartered in, X" (734.9(h)(2), 740.2,
 * 740.8, 740.27-.29, 742.6(b), 744.23) and of entities "headquartered outside of, or [with] an
 * ultimate parent headquartered outside of, X" (740.27(a), 742.6(b)(14), Supp. 3 to 732 RF 28).
 */
import type { CountryFacts } from '../data/country-groups.js';
import type { PartyFacts } from '../engine/facts.js';
import { NONE, or, type Finding, type Missing, type Tri } from '../engine/logic.js';

export type CountryTest = (c: CountryFacts) => boolean;

export const inMacauOrD5: CountryTest = (c) => c.macauOrD5;
export const inSupp5a: CountryTest = (c) => c.supp5a;

function check(c: CountryFacts | undefined, test: CountryTest): Tri {
  return c === undefined ? undefined : test(c);
}

function missingFor(p: PartyFacts, fields: ('headquarters' | 'ultimateParentHeadquarters')[], why: string): Missing[] {
  return fields.map((f) => ({ path: `${p.path}.${f}`, why }));
}

function unknownFields(p: PartyFacts): ('headquarters' | 'ultimateParentHeadquarters')[] {
  const out: ('headquarters' | 'ultimateParentHeadquarters')[] = [];
  if (p.hq === undefined) out.push('headquarters');
  if (p.uph === undefined) out.push('ultimateParentHeadquarters');
  return out;
}

/** True if the entity or its ultimate parent is headquartered where `test` holds. */
export function hqOrParentIn(p: PartyFacts, test: CountryTest, place: string): Finding {
  const value = or(check(p.hq, test), check(p.uph, test));
  return {
    value,
    missing: value === undefined ? missingFor(p, unknownFields(p), `decides whether the ${label(p)} or its ultimate parent is headquartered in ${place}`) : (NONE as Missing[]),
  };
}

/** True if the entity itself (not its parent) is headquartered where `test` holds (740.2(a)(9)(ii)'s AIA carve-out). */
export function headquarteredIn(p: PartyFacts, test: CountryTest, place: string): Finding {
  const value = check(p.hq, test);
  return { value, missing: value === undefined ? missingFor(p, ['headquarters'], `decides whether the ${label(p)} is headquartered in ${place}`) : (NONE as Missing[]) };
}

/** True if the entity or its ultimate parent is headquartered where `test` does not hold. */
export function hqOrParentOutside(p: PartyFacts, test: CountryTest, place: string): Finding {
  const value = or(check(p.hq, (c) => !test(c)), check(p.uph, (c) => !test(c)));
  return {
    value,
    missing: value === undefined ? missingFor(p, unknownFields(p), `decides whether the ${label(p)} or its ultimate parent is headquartered outside ${place}`) : (NONE as Missing[]),
  };
}

/** True if the entity is located where `test` holds (location defaults to the destination). */
export function locatedIn(p: PartyFacts, test: CountryTest): Finding {
  const value = check(p.location, test);
  return { value, missing: value === undefined ? [{ path: `${p.path}.country`, why: `where the ${label(p)} is located` }] : (NONE as Missing[]) };
}

export function label(p: PartyFacts): string {
  return p.path === 'consignee' ? 'consignee' : p.path === 'exporter' ? 'exporter' : 'end user';
}

/** "X (CC)" or "unknown" for explanations. */
export function describe(c: CountryFacts | undefined): string {
  return c ? `${c.name} (${c.code})` : 'unknown';
}

export function describeHq(p: PartyFacts): string {
  return `headquarters ${describe(p.hq)}, ultimate parent headquarters ${describe(p.uph)}`;
}
