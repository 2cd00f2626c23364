/**
 * The ledger's account kinds, how they are named, and what caps them.
 *
 * | kind                | one account per                                   | cap (from data/)                                   |
 * |---------------------|---------------------------------------------------|----------------------------------------------------|
 * | lpp                 | ultimate consignee (per INT-7 reading) per year    | 26,900,000 TPP, 740.29(d)                          |
 * | aia                 | ultimate consignee                                | none: 253,000,000 TPP is a reporting trigger (INT-5) |
 * | country_allocation  | destination outside Supp. 5(a), Macau and D:5, 2025-2027 (INT-9) | 790,000,000 TPP plus increases BIS granted (INT-37), 742.6(b)(10)(iii)(B), (C) |
 * | nveu                | NVEU per country                                  | Table 1 for the quarter of the operation, 748.15(a)(2)(iii)(B) |
 * | uveu                | UVEU group per country                            | none per account: Supp. 10 para. 6 limits the group's shares |
 *
 * Account ids are `kind:part:…` with every part URI-encoded, e.g. `lpp:2025:ultimate_parent:acme`,
 * `aia:acme`, `country_allocation:AE`, `nveu:G42:AE`, `uveu:MSFT:MY`. The ultimate consignee of
 * an LPP or AIA account is a party id, so it is normalized as every party id is
 * (`normalizeKey`: NFKC, invisible format characters removed, whitespace trimmed and collapsed, case
 * folded): `ACME-BR`, `acme-br`, `ACME-BR ` and fullwidth `ＡＣＭＥ-BR` are one account with one cap
 * (migrations 008 and 010 merged accounts made before).
 */
import { countryOn } from '../data/country-groups.js';
import { isKnownCountry } from '../data/countries.js';
import { ALLOCATION, LPP } from '../data/parameters.js';
import { DATES } from '../data/ruleset.js';
import { InputError } from '../engine/context.js';
import { nveuCap, noNveuCapReason } from '../law/part748/table1-nveu.js';
import { toMilli } from './amount.js';
import { normalizeKey } from '../parties/key.js';

export const ACCOUNT_KINDS = ['lpp', 'aia', 'country_allocation', 'nveu', 'uveu'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];
export const LPP_READINGS = ['ultimate_parent', 'owner'] as const;
export type LppReading = (typeof LPP_READINGS)[number];

export type AccountRef =
  | { kind: 'lpp'; year: string; reading: LppReading; entity: string }
  | { kind: 'aia'; entity: string }
  | { kind: 'country_allocation'; country: string }
  | { kind: 'nveu'; veu: string; country: string }
  | { kind: 'uveu'; veu: string; country: string };

const enc = encodeURIComponent;

export function accountId(ref: AccountRef): string {
  switch (ref.kind) {
    case 'lpp': return `lpp:${ref.year}:${ref.reading}:${enc(normalizeKey(ref.entity))}`;
    case 'aia': return `aia:${enc(normalizeKey(ref.entity))}`;
    case 'country_allocation': return `country_allocation:${ref.country}`;
    case 'nveu': return `nveu:${enc(ref.veu)}:${ref.country}`;
    case 'uveu': return `uveu:${enc(ref.veu)}:${ref.country}`;
  }
}

/** The subject of the account, for listings and filters. */
export function accountKey(ref: AccountRef): string {
  switch (ref.kind) {
    case 'lpp': return `${ref.reading}:${normalizeKey(ref.entity)}`;
    case 'aia': return normalizeKey(ref.entity);
    case 'country_allocation': return ref.country;
    case 'nveu':
    case 'uveu': return `${ref.veu}:${ref.country}`;
  }
}

export function accountPeriod(ref: AccountRef): string {
  if (ref.kind === 'lpp') return ref.year;
  if (ref.kind === 'country_allocation') return `${ALLOCATION.period.from}..${ALLOCATION.period.to}`;
  return '';
}

/** A country code, upper-cased and checked (a field path names it when it is not one). */
export function country(code: string | undefined, path: string): string {
  const c = (code ?? '').toUpperCase();
  if (!isKnownCountry(c)) throw new InputError(path, `not an ISO 3166-1 alpha-2 country code: "${code ?? ''}"`);
  return c;
}

function part(s: string | undefined, path: string, what: string, normalize = false): string {
  let v: string;
  try {
    v = decodeURIComponent(s ?? '');
  } catch {
    throw new InputError(path, `${what} is not URI-encoded correctly`);
  }
  if (normalize) v = normalizeKey(v);
  if (v.length === 0 || v.length > 200) throw new InputError(path, `${what} must be 1 to 200 characters`);
  return v;
}

/** Parse an account id (see the table above); errors name `path`. */
export function parseAccountId(id: string, path = 'account'): AccountRef {
  const parts = id.split(':');
  const kind = parts[0] as AccountKind;
  const want = (n: number) => {
    if (parts.length !== n) throw new InputError(path, `"${id}" is not an account id (e.g. lpp:2025:ultimate_parent:ACME, aia:ACME, country_allocation:AE, nveu:VEU:AE, uveu:VEU:MY)`);
  };
  switch (kind) {
    case 'lpp': {
      want(4);
      if (!/^\d{4}$/.test(parts[1]!)) throw new InputError(path, `"${parts[1]}" is not a calendar year`);
      if (!(LPP_READINGS as readonly string[]).includes(parts[2]!)) throw new InputError(path, `LPP reading must be ${LPP_READINGS.join(' or ')} (INT-7)`);
      return { kind, year: parts[1]!, reading: parts[2] as LppReading, entity: part(parts[3], path, 'the ultimate consignee', true) };
    }
    case 'aia':
      want(2);
      return { kind, entity: part(parts[1], path, 'the ultimate consignee', true) };
    case 'country_allocation':
      want(2);
      return { kind, country: country(parts[1], path) };
    case 'nveu':
    case 'uveu':
      want(3);
      return { kind, veu: part(parts[1], path, 'the VEU'), country: country(parts[2], path) };
    default:
      want(-1);
      throw new Error('unreachable');
  }
}

/** Interpretation readings a ledger operation was given (validated by the caller). */
export type Readings = Readonly<Record<string, string>>;

export interface Cap {
  /** null: no cap. */
  milli: bigint | null;
  citation: string;
  note?: string;
}

/**
 * Refuse a movement an account cannot take on its date, naming the field: LPP's cap is per
 * calendar year (740.29(d)) and starts with the rule; Data Center VEU accounts start with the rule
 * too (2025-01-13); an NVEU authorization never reaches Macau or Country Group D:5
 * (748.15(b)(2)(ii)); only destinations outside Supp. 5(a), Macau and D:5 have a country
 * allocation (742.6(b)(10)(iii)(B)(1)), for licenses of 2025 to 2027 (INT-9).
 */
export function checkUse(ref: AccountRef, date: string, dateGiven = true): void {
  if (ref.kind === 'lpp') {
    // A movement without a business date is dated today; only a date given for it can contradict the year.
    if (dateGiven && date.slice(0, 4) !== ref.year) throw new InputError('date', `LPP's cap is per calendar year (15 CFR 740.29(d)): a movement dated ${date} belongs to the ${date.slice(0, 4)} account, not to ${ref.year}`);
    if (ref.year < DATES.effective.slice(0, 4) || (dateGiven && date < DATES.effective)) throw new InputError('date', `License Exception LPP exists from ${DATES.effective} (the rule's effective date)`);
  }
  if ((ref.kind === 'nveu' || ref.kind === 'uveu') && date < DATES.effective) {
    throw new InputError('date', `Data Center VEU authorizations (748.15(a)(2)(ii)-(iii)) and their limits exist from ${DATES.effective}, the rule's effective date; ${date} is before it`);
  }
  if (ref.kind === 'nveu' && countryOn(ref.country, date).macauOrD5) {
    throw new InputError('account', `an NVEU authorization does not extend to ${ref.country}: 15 CFR 748.15(b)(2)(ii) excludes Macau and Country Group D:5`);
  }
  if (ref.kind === 'country_allocation') checkAllocationCountry(ref.country, date);
}

/** Only a destination outside Supp. 5(a), Macau and D:5 has a country allocation, and only for 2025-2027 (INT-9). */
export function checkAllocationCountry(code: string, date: string, path = 'account'): void {
  const { from, to } = ALLOCATION.period;
  if (date < from || date > to) throw new InputError('date', `the country allocation covers licenses dated ${from} to ${to} (742.6(b)(10)(iii)(B)(1), INT-9); 742.6(b)(10)(iii)(B) sets none for ${date}, and aidr will not assume one`);
  const c = countryOn(code, date < DATES.effective ? DATES.effective : date);
  if (c.supp5a) throw new InputError(path, `${c.name} (${c.code}) has no country allocation: it is a Supp. 5 para. (a) destination (presumption of approval, 15 CFR 742.6(b)(10)(iii)(A)(2))`);
  if (c.macauOrD5) throw new InputError(path, `${c.name} (${c.code}) has no country allocation: it is Macau or in Country Group D:5 (presumption of denial, 15 CFR 742.6(b)(10)(iii)(A)(1))`);
}

/** The cap that applies to an operation on `ref` dated `date` (a country allocation's granted increases: see allocation.ts). */
export function capFor(ref: AccountRef, date: string, readings: Readings = {}): Cap {
  switch (ref.kind) {
    case 'lpp':
      return { milli: toMilli(LPP.annualCap, 'cap'), citation: '15 CFR 740.29(d)' };
    case 'aia':
      // What counts toward the 253,000,000 and over which period is INT-30 (issue 8's register): by default every receipt, no period.
      return { milli: null, citation: '15 CFR 740.27(c)', note: 'no cap: the cumulative total decides when the certification goes to BIS (INT-5; what counts and over which period: INT-30)' };
    case 'country_allocation': {
      // INT-37: "may be increased up to 100 %" is no automatic doubling unless that reading is chosen.
      const doubled = countryOn(ref.country, date).supp5b && readings['INT-37'] === 'doubled';
      const cap = doubled ? ALLOCATION.tpp.times(ALLOCATION.supp5bIncrease.plus(1)) : ALLOCATION.tpp;
      return { milli: toMilli(cap, 'cap'), citation: doubled ? '15 CFR 742.6(b)(10)(iii)(B)(1), (C) (INT-37 doubled)' : '15 CFR 742.6(b)(10)(iii)(B)(1)' };
    }
    case 'nveu': {
      const cap = nveuCap(date);
      if (!cap) throw new InputError('date', noNveuCapReason(date)!);
      return { milli: toMilli(cap.capTpp, 'cap'), citation: cap.citation, note: `${cap.quarter} limit` };
    }
    case 'uveu':
      return { milli: null, citation: '15 CFR part 748, Supp. No. 10, para. 6', note: 'limited as shares of the group\'s total (see veu check)' };
  }
}
