import { describe, expect, it } from 'vitest';
import { countryOn, groupMembers, supp5aMembers } from '../../src/data/country-groups.js';

describe('country groups as of a date', () => {
  it('D:5 had 23 members on 2025-01-15 and 22 after Cambodia left on 2026-02-03', () => {
    expect(groupMembers('D:5', '2025-01-15')).toHaveLength(23);
    expect(groupMembers('D:5', '2026-02-03')).toHaveLength(22);
    expect(groupMembers('D:5', '2026-02-02')).toContain('KH');
  });
  it('Cyprus leaves D:5 on 2024-05-30 and stays in A:6', () => {
    expect(countryOn('CY', '2024-05-29').d5).toBe(true);
    expect(countryOn('CY', '2024-05-30').d5).toBe(false);
    expect(countryOn('CY', '2024-05-30').groups.has('A:6')).toBe(true);
  });
  it('Nicaragua joins D:5 and D:1 on 2024-03-15', () => {
    expect(countryOn('NI', '2024-03-14').d5).toBe(false);
    expect(countryOn('NI', '2024-03-15').d5).toBe(true);
    expect(countryOn('NI', '2024-03-15').groups.has('D:1')).toBe(true);
  });
  it('Supp. 5(a) lists 19 destinations including the United States and Taiwan, from 2025-01-13', () => {
    const a = supp5aMembers('2025-01-13');
    expect(a).toHaveLength(19);
    expect(a).toEqual(expect.arrayContaining(['US', 'TW', 'FR']));
    expect(supp5aMembers('2025-01-12')).toHaveLength(0);
  });
  it('Hong Kong is treated as China; Macau is its own destination outside D:5', () => {
    const hk = countryOn('HK', '2025-06-01');
    expect(hk.code).toBe('CN');
    expect(hk.aliasOf).toBe('HK');
    expect(hk.tier).toBe(3);
    const mo = countryOn('MO', '2025-06-01');
    expect(mo.d5).toBe(false);
    expect(mo.macauOrD5).toBe(true);
    expect(mo.tier).toBe(3);
  });
  it('D:1/D:4/D:5 destinations also in A:5 or A:6 are excluded (Israel is D:4 but A:6)', () => {
    expect(countryOn('IL', '2025-06-01').d145NotA56).toBe(false);
    expect(countryOn('AE', '2025-06-01').d145NotA56).toBe(true);
    expect(countryOn('IN', '2025-06-01').d145NotA56).toBe(false);
  });
});
