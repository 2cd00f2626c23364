import { describe, expect, it } from 'vitest';
import { resolveChip, resolveCountry } from '../../src/screen/aliases.js';
import { normalizeKey } from '../../src/parties/key.js';

describe('country names as users write them', () => {
  it.each([
    ['Germany', 'DE'], ['germany', 'DE'], ['DE', 'DE'], ['de', 'DE'], ['DEU', 'DE'], ['UK', 'GB'], ['United Kingdom', 'GB'],
    ['Great Britain', 'GB'], ['USA', 'US'], ['U.S.A.', 'US'], ['United States', 'US'], ['South Korea', 'KR'], ['Republic of Korea', 'KR'],
    ['Türkiye', 'TR'], ['Turkiye', 'TR'], ['Turkey', 'TR'], ['Hong Kong', 'HK'], ['Macau', 'MO'], ['Macao', 'MO'], ['UAE', 'AE'],
    ['Viet Nam', 'VN'], ['Vietnam', 'VN'], ['Czechia', 'CZ'], ['Holland', 'NL'], ['  Japan ', 'JP'], ['BRA', 'BR'],
  ])('%s → %s', (raw, code) => {
    expect(resolveCountry(raw)).toEqual({ ok: true, value: code });
  });

  it.each([
    ['Korea', ['KR', 'KP']], ['Congo', ['CG', 'CD']], ['Virgin Islands', ['VG', 'VI']],
  ])('%s is ambiguous: refused, naming the candidates', (raw, codes) => {
    const r = resolveCountry(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/names several countries/);
      for (const c of codes) expect(r.message).toContain(c);
    }
  });

  it('an unknown name is refused with the nearest names', () => {
    const r = resolveCountry('Germny');
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.message).toMatch(/did you mean DE \(Germany\)/);
    const n = resolveCountry('Narnia');
    expect(n.ok).toBe(false);
  });
});

describe('chip names, aliases and catalog ids', () => {
  it.each([
    ['nvidia-h100-sxm', 'nvidia-h100-sxm'], ['H100 SXM5 80GB', 'nvidia-h100-sxm'], ['NVIDIA H100 SXM5 80GB', 'nvidia-h100-sxm'],
    ['h100-sxm5', 'nvidia-h100-sxm'], ['H100 PCIe', 'nvidia-h100-pcie'], ['MI300X', 'amd-mi300x'], ['AMD Instinct MI300X', 'amd-mi300x'],
    ['RTX 4090', 'nvidia-rtx-4090'], ['RTX 4090 D', 'nvidia-rtx-4090d'], ['l40s', 'nvidia-l40s'], ['Gaudi 3', 'intel-gaudi-3'],
  ])('%s → %s', (raw, id) => {
    expect(resolveChip(raw)).toEqual({ ok: true, value: id });
  });

  it('H100 is ambiguous: did you mean nvidia-h100-sxm or nvidia-h100-pcie?', () => {
    const r = resolveChip('H100');
    expect(r).toEqual({ ok: false, message: '"H100" names several chips in the catalog (did you mean nvidia-h100-sxm or nvidia-h100-pcie?)' });
  });

  it.each(['B200', 'H100 80GB'])('%s is ambiguous', (raw) => {
    const r = resolveChip(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/names several chips/);
  });

  it('a family with parts outside the catalog is refused with a suggestion, not resolved', () => {
    const r = resolveChip('H200');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/did you mean .*nvidia-h200-sxm/);
    expect(resolveChip('A100').ok).toBe(false);
  });
});

describe('party ids and account keys', () => {
  it('case, surrounding and repeated whitespace and Unicode composition are one key', () => {
    expect(normalizeKey('ACME-BR')).toBe('acme-br');
    expect(normalizeKey('  acme-br ')).toBe('acme-br');
    expect(normalizeKey('Acme   Brasil\tLtda')).toBe('acme brasil ltda');
    expect(normalizeKey('Sa\u0303o Paulo')).toBe(normalizeKey('S\u00e3o Paulo'));
  });

  it('compatibility forms and invisible format characters are one key too (red team, 2026-12-06: each opened its own LPP cap)', () => {
    for (const spelling of ['ＮＫ', 'N\u200bK', 'N\u00adK', '\u202eNK', 'N\ufeffK', 'nk']) expect(normalizeKey(spelling), JSON.stringify(spelling)).toBe('nk');
    expect(normalizeKey('ﬁrst co')).toBe('first co');
    // Letters stay letters: Müller and Møller are two parties.
    expect(normalizeKey('Müller')).not.toBe(normalizeKey('Møller'));
  });
});
