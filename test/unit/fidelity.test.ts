/**
 * Issue 8 (fidelity): refusals of input the rule defines away or that contradicts itself, and the
 * places a transaction reaches, where a YAML scenario cannot state the expectation.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../../src/index.js';

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
