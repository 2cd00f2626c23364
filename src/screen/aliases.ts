/**
 * Values as users write them, resolved to what the contract takes: country names and alpha-3 codes
 * to ISO 3166-1 alpha-2 (i18n-iso-countries' English names plus data/aliases/countries.json), chip
 * names and aliases to catalog ids (data/aliases/chips.json). A value that stands for several is
 * refused with the candidates; an unknown one with the nearest known values. Nothing is resolved
 * by guessing: only exact matches of a normalized spelling.
 */
import { createRequire } from 'node:module';
import isoCountries from 'i18n-iso-countries/index.js';
import { allChips, isKnownChip } from '../data/chips.js';
import { countryName, isKnownCountry } from '../data/countries.js';
import { loadData } from '../data/load.js';
import { didYouMean, nearest } from './suggest.js';

export type Resolution = { ok: true; value: string } | { ok: false; message: string };

const require = createRequire(import.meta.url);
isoCountries.registerLocale(require('i18n-iso-countries/langs/en.json'));

/** Case, accents, spaces and punctuation ignored: "Türkiye" ~ "turkiye", "U.S.A." ~ "usa". */
export const spelling = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

// ---- countries -------------------------------------------------------------------------------------

interface CountryAliases { names: Record<string, string>; ambiguous: Record<string, string[]> }

let countryIndex: Map<string, string[]> | undefined;

function countries(): Map<string, string[]> {
  if (countryIndex) return countryIndex;
  const index = new Map<string, string[]>();
  const add = (name: string, code: string) => {
    if (!isKnownCountry(code)) return;
    const k = spelling(name);
    const codes = index.get(k);
    if (!codes) index.set(k, [code]);
    else if (!codes.includes(code)) codes.push(code);
  };
  const names = isoCountries.getNames('en', { select: 'all' }) as Record<string, string[]>;
  for (const [code, list] of Object.entries(names)) for (const n of list) add(n, code);
  for (const [a3, a2] of Object.entries(isoCountries.getAlpha3Codes())) add(a3, a2);
  const file = loadData<CountryAliases>('aliases/countries.json');
  for (const [n, code] of Object.entries(file.names)) add(n, code);
  for (const [n, codes] of Object.entries(file.ambiguous)) index.set(spelling(n), codes.filter(isKnownCountry));
  return (countryIndex = index);
}

const describeCountry = (code: string) => `${code} (${countryName(code)})`;

/** An ISO alpha-2 code for a country as written: a code, an alpha-3 code or an English name. */
export function resolveCountry(raw: string): Resolution {
  const v = raw.trim();
  if (/^[A-Za-z]{2}$/.test(v) && isKnownCountry(v.toUpperCase())) return { ok: true, value: v.toUpperCase() };
  const codes = countries().get(spelling(v));
  if (codes && codes.length === 1) return { ok: true, value: codes[0]! };
  if (codes && codes.length > 1) return { ok: false, message: `"${v}" names several countries${didYouMean(codes.map(describeCountry))}` };
  const near = nearest(spelling(v), [...countries()].flatMap(([k, cs]) => cs.map((c): [string, string] => [k, c])));
  return { ok: false, message: `"${v}" is not a country aidr knows (ISO 3166-1 alpha-2 or alpha-3 code, or an English name)${didYouMean(near.map(describeCountry))}` };
}

// ---- chips --------------------------------------------------------------------------------------------

interface ChipAliases { aliases: Record<string, string[]>; ambiguous: Record<string, string[]> }

const VENDOR = /^(nvidia|amd|intel)/;
/** A chip spelling: `spelling` without a leading vendor name. */
const chipSpelling = (s: string): string => spelling(s).replace(VENDOR, '');

let chipIndex: Map<string, string[]> | undefined;

function chips(): Map<string, string[]> {
  if (chipIndex) return chipIndex;
  const index = new Map<string, string[]>();
  const add = (name: string, id: string) => {
    const k = chipSpelling(name);
    const ids = index.get(k);
    if (!ids) index.set(k, [id]);
    else if (!ids.includes(id)) ids.push(id);
  };
  for (const c of allChips()) {
    add(c.id, c.id);
    add(c.name, c.id);
  }
  const file = loadData<ChipAliases>('aliases/chips.json');
  for (const [id, names] of Object.entries(file.aliases)) {
    if (!isKnownChip(id)) throw new Error(`data/aliases/chips.json: ${id} is not in data/chips.json`);
    for (const n of names) add(n, id);
  }
  for (const [n, ids] of Object.entries(file.ambiguous)) index.set(chipSpelling(n), ids);
  return (chipIndex = index);
}

/** A catalog id for a chip as written: an id, a catalog name, or an alias. */
export function resolveChip(raw: string): Resolution {
  const v = raw.trim();
  if (isKnownChip(v)) return { ok: true, value: v };
  const ids = chips().get(chipSpelling(v));
  if (ids && ids.length === 1) return { ok: true, value: ids[0]! };
  if (ids && ids.length > 1) return { ok: false, message: `"${v}" names several chips in the catalog${didYouMean(ids)}` };
  const near = nearest(chipSpelling(v), [...chips()].flatMap(([k, cs]) => cs.map((c): [string, string] => [k, c])));
  return { ok: false, message: `"${v}" is not a chip in the catalog (see aidr chips)${didYouMean(near)}` };
}
