/**
 * The Country Groups the Data Center VEU rules read (Supp. No. 1 to part 740: A:1-A:6, B,
 * D:1-D:4) and the United States as 15 CFR 772.1 defines it, as aidr's data holds them.
 */
import { describe, expect, it } from 'vitest';
import { countryOn, groupMembers, inGroupsABD1to4 } from '../../src/data/country-groups.js';
import { allCountries } from '../../src/data/countries.js';

const D = '2025-06-01';

describe('Country Groups A:1-A:4 and B (Supp. No. 1 to part 740)', () => {
  it('places the regimes\' members as the Country Group A table does', () => {
    expect(groupMembers('A:1', D)).toEqual(expect.arrayContaining(['US', 'IN', 'MX', 'ZA', 'IS']));
    expect(groupMembers('A:1', D)).not.toEqual(expect.arrayContaining(['MT']));
    expect(groupMembers('A:2', D)).toEqual(expect.arrayContaining(['BR', 'UA', 'IN', 'US']));
    expect(groupMembers('A:2', D)).not.toContain('HR');
    expect(groupMembers('A:3', D)).toEqual(expect.arrayContaining(['CY', 'MT', 'UA']));
    expect(groupMembers('A:4', D)).toEqual(expect.arrayContaining(['KZ', 'RS', 'BR']));
    for (const g of ['A:1', 'A:2', 'A:3', 'A:4'] as const) expect(groupMembers(g, D)).not.toEqual(expect.arrayContaining(['RU', 'CN', 'BY']));
  });
  it('keeps Country Group B apart from D:1 on every date, with the dated moves', () => {
    // From 2024 (D:1's earlier moves into it are not dated in aidr's data).
    for (const date of ['2024-01-01', '2024-03-14', '2024-03-15', D, '2026-07-10']) {
      const b = new Set(groupMembers('B', date));
      expect(groupMembers('D:1', date).filter((c) => b.has(c))).toEqual([]);
    }
    expect(countryOn('NI', '2024-03-14').groups.has('B')).toBe(true);
    expect(countryOn('NI', '2024-03-15').groups.has('B')).toBe(false);
    expect(countryOn('UA', '2020-12-27').groups.has('B')).toBe(false);
    expect(countryOn('UA', '2020-12-28').groups.has('B')).toBe(true);
    expect(['MY', 'ID', 'TH', 'BR', 'SA', 'AE', 'SG', 'TW'].every((c) => countryOn(c, D).groups.has('B'))).toBe(true);
    expect(['VN', 'KZ', 'CN', 'RU', 'IR', 'CU', 'KP', 'SY', 'MO'].some((c) => countryOn(c, D).groups.has('B'))).toBe(false);
  });
  it('leaves only places the Country Chart does not list in no group (the NVEU link is then unknown)', () => {
    const none = allCountries().filter((c) => !inGroupsABD1to4(countryOn(c, D)) && !countryOn(c, D).macauOrD5);
    expect(none).toEqual(expect.arrayContaining(['GL', 'AQ']));
    expect(none).not.toEqual(expect.arrayContaining(['US', 'MY', 'DE', 'VN', 'PR']));
  });
});

describe('the United States includes its territories (15 CFR 772.1)', () => {
  it.each(['PR', 'GU', 'VI', 'AS', 'MP', 'UM'])('%s is read as the United States and Supp. 5(a) from 2025-01-13', (code) => {
    const c = countryOn(code, D);
    expect(c).toMatchObject({ code, us: true, usTerritory: true, supp5a: true, tier: 1, macauOrD5: false });
    expect(c.groups.has('A:1')).toBe(true);
    expect(countryOn(code, '2025-01-12').supp5a).toBe(false);
  });
  it('a foreign territory is not (Greenland, Aruba)', () => {
    expect(countryOn('GL', D).us).toBe(false);
    expect(countryOn('AW', D).us).toBe(false);
  });
});
