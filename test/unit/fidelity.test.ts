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
