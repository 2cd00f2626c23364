/**
 * Issue 8 (fidelity): refusals of input the rule defines away or that contradicts itself, and the
 * places a transaction reaches, where a YAML scenario cannot state the expectation.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../../src/index.js';
import { renderText } from '../../src/cli/text.js';

const h100 = { date: '2025-06-02', to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10 };

describe('places reached', () => {
  it('a Tier 2 end user abroad decides the allocation drawn', () => {
    const d = check({ ...h100, consignee: { country: 'DE', headquarters: 'DE', ultimateParentHeadquarters: 'DE' }, endUser: { country: 'IN', headquarters: 'IN', ultimateParentHeadquarters: 'IN' } }, { interpretations: { 'INT-14': 'allocation' } });
    expect(d.reviewPolicy).toBe('approval_within_allocation');
    expect(d.allocation?.country).toBe('IN');
  });

  it('a consignee of a commodity located elsewhere than `to` is refused at consignee.country', () => {
    expect(() => check({ ...h100, consignee: { country: 'FR' } })).toThrow(/^consignee\.country:/);
    expect(() => check({ ...h100, consignee: { country: 'DE' } })).not.toThrow();
  });
});

describe('activities the EAR defines away are refused (734.14(a)), never answered "license required"', () => {
  const weights = { date: '2025-06-02', item: { type: 'model_weights', published: false, trainingOperations: '2e26', producedOutsideUS: false } };
  it('a "reexport" into the United States or a U.S. territory', () => {
    expect(() => check({ ...h100, activity: 'reexport', from: 'DE', to: 'US' })).toThrow(/^to: a shipment into the United States is not a reexport/);
    expect(() => check({ ...h100, activity: 'reexport', from: 'DE', to: 'PR' })).toThrow(/^to:.*734\.14\(a\)\(1\)/);
    expect(check({ ...h100, activity: 'reexport', from: 'DE', to: 'FR' }).licenseRequired).toBe('yes');
  });
  it('a release in a foreign country to a national of that country', () => {
    expect(() => check({ ...weights, activity: 'deemed_reexport', from: 'DE', to: 'DE' })).toThrow(/^to:.*734\.14\(a\)\(2\)/);
    expect(check({ ...weights, activity: 'deemed_reexport', from: 'DE', to: 'IN' }).licenseRequired).not.toBe('no');
  });
});

describe('an over-precise number says why it is refused', () => {
  it('a figure kept as digits by the exact JSON reader, in a field read as a binary number', () => {
    expect(() => check({ to: 'DE', item: { type: 'ic', tops: '1000.00000000000000000001', bitLength: 8 } })).toThrow(/^item\.tops: 1000\.00000000000000000001 has more significant digits than this field reads exactly/);
  });
});

describe('the text report says what the user said (principle 11)', () => {
  it('no header or "Why" line contradicts an unknown license requirement', () => {
    // Foreign-produced weights whose U.S. content is unknown: subject unknown, so the license too.
    const t = renderText(check({ date: '2025-06-02', activity: 'transfer', from: 'CN', to: 'CN', item: { type: 'model_weights', published: false, trainingOperations: '3e26', note2Excluded: false, producedOutsideUS: true, trainedOnControlledComputing: false }, consignee: { country: 'CN', headquarters: 'CN', ultimateParentHeadquarters: 'CN' } }));
    expect(t).toMatch(/License required: unknown {3}Review policy: presumption of denial \(if a license is required\)/);
    expect(t).toMatch(/license required if the item is subject to the EAR/);
    expect(t).not.toMatch(/: license required \[/);
  });
  it('"only the exception used brings its obligations" only when several are eligible', () => {
    const one = renderText(check({ date: '2025-06-02', to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10, viaDistributor: true, consignee: { country: 'DE', headquarters: 'DE', ultimateParentHeadquarters: 'DE' } }));
    expect(one).not.toMatch(/A shipment uses one license exception/);
    const two = renderText(check({ date: '2025-06-02', to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10, consignee: { country: 'DE', headquarters: 'DE', ultimateParentHeadquarters: 'DE' } }));
    expect(two).toMatch(/A shipment uses one license exception: only the obligations of the one used \(AIA or LPP\) apply/);
  });
  it('between the effective and compliance dates the report says from when the answer applies', () => {
    const t = renderText(check({ date: '2025-03-01', to: 'IN', item: { type: 'ic', model: 'nvidia-h100-sxm' } }));
    expect(t).toMatch(/Compliance required from 2025-05-15/);
  });
});
