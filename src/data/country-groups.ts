/**
 * Country Groups (Supp. 1 to part 740) and the AI Authorization Countries (Supp. 5 to part 740),
 * as of a date. Membership entries carry `since` (inclusive) and `until` (exclusive) dates, so a
 * determination dated 2024-05-29 sees Cyprus in D:5 and one dated 2024-05-30 does not.
 */
import { loadData } from './load.js';
import { countryName } from './countries.js';

export type Group = 'A:1' | 'A:2' | 'A:3' | 'A:4' | 'A:5' | 'A:6' | 'B' | 'D:1' | 'D:3' | 'D:4' | 'D:5';
export const GROUPS: readonly Group[] = ['A:1', 'A:2', 'A:3', 'A:4', 'A:5', 'A:6', 'B', 'D:1', 'D:3', 'D:4', 'D:5'];
/** Country Group A is A:1 to A:6 (748.15(b)(2)(ii) names Groups A and B as wholes). */
export const GROUP_A: readonly Group[] = ['A:1', 'A:2', 'A:3', 'A:4', 'A:5', 'A:6'];

interface Member {
  country: string;
  since?: string;
  until?: string;
  source?: string;
  /** A membership whose end depends on an interpretation: id → reading → until (e.g. Cambodia in D:5, INT-53). */
  untilByReading?: Record<string, Record<string, string>>;
}
interface GroupsFile {
  groups: Record<Group, { title: string; citation: string; members: Member[] }>;
  aliases: { country: string; treatedAs: string; since: string; interpretation: string; source: string }[];
  named: { macau: { country: string }; unitedStates: { country: string; territories: string[] } };
}
interface Supp5File {
  since: string;
  citation: string;
  paragraphA: { citation: string; members: Member[] };
  paragraphB: { citation: string; members: Member[] };
}

const groupsFile = loadData<GroupsFile>('country-groups.json');
const supp5 = loadData<Supp5File>('supp5-740.json');

export const MACAU = groupsFile.named.macau.country;
export const UNITED_STATES = groupsFile.named.unitedStates.country;
/** 15 CFR 772.1: for the EAR the United States includes Puerto Rico and every territory and possession. */
const US_TERRITORIES: ReadonlySet<string> = new Set(groupsFile.named.unitedStates.territories);
export const SUPP5A_CITATION = supp5.paragraphA.citation;
export const SUPP5B_CITATION = supp5.paragraphB.citation;

function index(members: Member[], since?: string): Map<string, Member[]> {
  const byCountry = new Map<string, Member[]>();
  for (const m of members) {
    const entry = since && !m.since ? { ...m, since } : m;
    byCountry.set(m.country, [...(byCountry.get(m.country) ?? []), entry]);
  }
  return byCountry;
}

const groupIndex = new Map<Group, Map<string, Member[]>>(
  GROUPS.map((g) => [g, index(groupsFile.groups[g].members)]),
);
const supp5aIndex = index(supp5.paragraphA.members, supp5.since);
const supp5bIndex = index(supp5.paragraphB.members, supp5.since);

/** Readings that change a membership's dates (e.g. INT-53 → state_list); empty for the data's own dates. */
export type MembershipReadings = ReadonlyMap<string, string>;
const NO_READINGS: MembershipReadings = new Map();

function untilOf(m: Member, readings: MembershipReadings): string | undefined {
  if (m.untilByReading) for (const [id, byReading] of Object.entries(m.untilByReading)) {
    const r = readings.get(id);
    if (r !== undefined && byReading[r] !== undefined) return byReading[r];
  }
  return m.until;
}

function memberOn(entries: Member[] | undefined, date: string, readings: MembershipReadings = NO_READINGS): boolean {
  if (!entries) return false;
  return entries.some((m) => { const until = untilOf(m, readings); return (!m.since || m.since <= date) && (!until || date < until); });
}

/**
 * The interpretations whose reading changes some membership of `code` on `date` (their dates
 * bracket it), e.g. Cambodia in D:5 between 2025-11-07 and 2026-02-03 (INT-53).
 */
const NONE_DATED: string[] = [];
/** Countries with a membership whose end an interpretation decides (Cambodia). */
const DATED_CODES: ReadonlySet<string> = new Set(GROUPS.flatMap((g) => groupsFile.groups[g].members.filter((m) => m.untilByReading).map((m) => m.country)));

export function membershipInterpretations(code: string, date: string): string[] {
  if (!DATED_CODES.has(code)) return NONE_DATED;
  const out: string[] = [];
  for (const g of GROUPS) for (const m of groupIndex.get(g)!.get(code) ?? []) {
    if (!m.untilByReading) continue;
    for (const [id, byReading] of Object.entries(m.untilByReading)) {
      const dates = [m.until, ...Object.values(byReading)].filter((x): x is string => x !== undefined).sort();
      if (date >= dates[0]! && date < dates[dates.length - 1]! && !out.includes(id)) out.push(id);
    }
  }
  return out;
}

/** Everything the rule asks about one country on one date. */
export interface CountryFacts {
  /** The code the rules apply to (Hong Kong → CN). */
  code: string;
  /** The code as given, when an alias was applied. */
  aliasOf?: string;
  aliasInterpretation?: string;
  name: string;
  groups: ReadonlySet<Group>;
  supp5a: boolean;
  supp5b: boolean;
  macau: boolean;
  d5: boolean;
  /** Macau or Country Group D:5: the rule's strictest tier. */
  macauOrD5: boolean;
  /** D:1, D:4 or D:5 but not A:5 or A:6 (742.6(a)(6)(iii)(B), 740.2(a)(9)(ii)). */
  d145NotA56: boolean;
  /** Tier 1 = Supp. 5(a); Tier 3 = Macau or D:5; Tier 2 = everything else (memo shorthand). */
  tier: 1 | 2 | 3;
  /** The United States, its territories included (15 CFR 772.1). */
  us: boolean;
  /** A territory or possession of the United States (Puerto Rico, Guam, …): the rule's tests read it as the United States. */
  usTerritory?: true;
}

/** date → code → facts; a determination asks about up to five countries on one date. */
const cache = new Map<string, Map<string, CountryFacts>>();

export function countryOn(given: string, date: string, readings?: MembershipReadings): CountryFacts {
  if (readings && readings.size > 0) {
    const key = `${date}|${[...readings].join(',')}`;
    let byCode = variantCache.get(key);
    if (!byCode) {
      if (variantCache.size > 2_000) variantCache.clear();
      variantCache.set(key, (byCode = new Map()));
    }
    let facts = byCode.get(given);
    if (!facts) byCode.set(given, (facts = computeCountry(given, date, readings)));
    return facts;
  }
  let byCode = cache.get(date);
  if (!byCode) {
    if (cache.size > 2_000) cache.clear();
    cache.set(date, (byCode = new Map()));
  }
  let facts = byCode.get(given);
  if (!facts) byCode.set(given, (facts = computeCountry(given, date)));
  return facts;
}

const variantCache = new Map<string, Map<string, CountryFacts>>();

function computeCountry(given: string, date: string, readings: MembershipReadings = NO_READINGS): CountryFacts {
  const alias = groupsFile.aliases.find((a) => a.country === given && a.since <= date);
  const code = alias?.treatedAs ?? given;
  // A U.S. territory keeps its own code and name but has the United States' groups (772.1).
  const territory = US_TERRITORIES.has(code);
  const rulesCode = territory ? UNITED_STATES : code;
  const groups = new Set(GROUPS.filter((g) => memberOn(groupIndex.get(g)!.get(rulesCode), date, readings)));
  const supp5a = memberOn(supp5aIndex.get(rulesCode), date);
  const macau = code === MACAU;
  const d5 = groups.has('D:5');
  const macauOrD5 = macau || d5;
  const inD145 = groups.has('D:1') || groups.has('D:4') || d5;
  const inA56 = groups.has('A:5') || groups.has('A:6');
  return {
    code,
    ...(alias ? { aliasOf: given, aliasInterpretation: alias.interpretation } : {}),
    name: countryName(code),
    groups,
    supp5a,
    supp5b: memberOn(supp5bIndex.get(rulesCode), date),
    macau,
    d5,
    macauOrD5,
    d145NotA56: inD145 && !inA56,
    tier: supp5a ? 1 : macauOrD5 ? 3 : 2,
    us: rulesCode === UNITED_STATES,
    ...(territory ? { usTerritory: true as const } : {}),
  };
}

/** In Country Group A (any of A:1 to A:6), B, or D:1 to D:4 as aidr's data lists them (D:2 is not listed; every D:2 member is in D:1, D:3, D:4 or D:5). */
export function inGroupsABD1to4(c: CountryFacts): boolean {
  return c.groups.has('B') || GROUP_A.some((g) => c.groups.has(g)) || c.groups.has('D:1') || c.groups.has('D:3') || c.groups.has('D:4');
}

/** Members of a group on a date (for listings and tests). */
export function groupMembers(group: Group, date: string): string[] {
  return [...groupIndex.get(group)!.entries()].filter(([, e]) => memberOn(e, date)).map(([c]) => c).sort();
}

export function supp5aMembers(date: string): string[] {
  return [...supp5aIndex.entries()].filter(([, e]) => memberOn(e, date)).map(([c]) => c).sort();
}

export function groupCitation(group: Group): string {
  return groupsFile.groups[group].citation;
}
