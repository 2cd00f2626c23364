/** ISO 3166-1 alpha-2 codes and English names (data/countries.json). */
import { loadData } from './load.js';

interface CountriesFile { countries: Record<string, string> }

const names = new Map(Object.entries(loadData<CountriesFile>('countries.json').countries));

export function isKnownCountry(code: string): boolean {
  return names.has(code);
}

export function countryName(code: string): string {
  return names.get(code) ?? code;
}

export function allCountries(): string[] {
  return [...names.keys()];
}
