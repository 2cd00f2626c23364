/**
 * License review policy for advanced computing items (.a and .b) under the texts before 90 FR 4544,
 * and as BIS enforces 742.6(b)(10) from 2025-05-15:
 * - 2023-11-17 (88 FR 73458), (b)(10)(ii): destinations other than Macau/D:5: presumption of
 *   approval, unless a party is headquartered (or its ultimate parent is) in Macau or D:5; Macau or
 *   D:5: presumption of denial (R-REV-1).
 * - 2024-12-02 (89 FR 96790, an inference as to the amending rule), (b)(10)(iii): (A) approval
 *   outside Macau/D:5 for entities not so headquartered; (B) denial for Macau/D:5 or such
 *   entities, except case by case for (1) non-datacenter items meeting 3A090.a and (2) datacenter
 *   items meeting 3A090.b (R-REV-3).
 * - As enforced (E10, E16, E17; posture unknown): the 2024-12-02 text, with the codified denial
 *   without carve-outs only under INT-47 codified_denial and the codified allocation policy for
 *   D-set destinations outside Macau/D:5 only under INT-48 codified_allocation.
 */
import type { ReviewPolicy, Step } from '../../contract/determination.js';
import type { Ctx } from '../../engine/context.js';
import { partiesOf, type TxFacts } from '../../engine/facts.js';
import { anyOf, type Finding, type Missing, type Tri } from '../../engine/logic.js';
import { describe, hqOrParentIn, inMacauOrD5 } from '../headquarters.js';
import type { Policy } from './review-policy.js';

export type PolicyText = (f: TxFacts, kind: 'a' | 'b', datacenter: Tri, ctx: Ctx, codified: () => Policy) => Policy;

const C_2023 = '15 CFR 742.6(b)(10)(ii) (text of 2023-11-17)';
const C_A = '15 CFR 742.6(b)(10)(iii)(A) (text of 2024-12-02)';
const C_B = '15 CFR 742.6(b)(10)(iii)(B) (text of 2024-12-02)';

/** Destination Macau/D:5, or a party headquartered (or whose ultimate parent is) there. */
function strictest(f: TxFacts): Finding {
  return anyOf({ value: f.to!.macauOrD5, missing: [] }, ...partiesOf(f).map((p) => hqOrParentIn(p, inMacauOrD5, 'Macau or Country Group D:5')));
}

function policyOf(policy: ReviewPolicy | null, missing: Missing[], citation: string, detail: string, ctx: Ctx): Policy {
  const steps: Step[] = ctx.explainOn ? [{ rule: 'Review policy for advanced computing items', citation, result: policy ? policy.replace(/_/g, ' ') : 'unknown', detail }] : [];
  return { policy, missing: policy === null ? missing : [], citation, steps };
}

export const policy2023: PolicyText = (f, _kind, _dc, ctx) => {
  const s = strictest(f);
  const policy: ReviewPolicy | null = s.value === undefined ? null : s.value ? 'presumption_of_denial' : 'presumption_of_approval';
  return policyOf(policy, s.missing, C_2023, `Destination ${describe(f.to)}; Macau/D:5 destination or headquarters: ${s.value ?? 'unknown'}.`, ctx);
};

/** (B)'s carve-outs: non-datacenter .a, datacenter .b. */
function carveOut(kind: 'a' | 'b', dc: Tri): Tri {
  if (dc === undefined) return undefined;
  return kind === 'a' ? !dc : dc;
}

export const policy2024: PolicyText = (f, kind, dc, ctx) => strictPolicy(f, kind, dc, ctx, false);

function strictPolicy(f: TxFacts, kind: 'a' | 'b', dc: Tri, ctx: Ctx, noCarveOut: boolean): Policy {
  const s = strictest(f);
  if (s.value === false) return policyOf('presumption_of_approval', [], C_A, `Destination ${describe(f.to)}; no party headquartered in Macau or D:5.`, ctx);
  const cut = noCarveOut ? false : carveOut(kind, dc);
  const ifStrict: ReviewPolicy | null = cut === undefined ? null : cut ? 'case_by_case' : 'presumption_of_denial';
  const citation = noCarveOut ? `${C_B}; 15 CFR 742.6(b)(10)(iii)(A)(1), (iv)(B) (INT-47)` : C_B;
  const dcMissing: Missing[] = cut === undefined ? [{ path: 'item.datacenter', why: '742.6(b)(10)(iii)(B): case by case for non-datacenter .a items and datacenter .b items' }] : [];
  if (s.value === true) return policyOf(ifStrict, dcMissing, citation, `Macau/D:5 destination or headquarters; ${kind === 'a' ? 'non-datacenter .a' : 'datacenter .b'} carve-out: ${cut ?? 'unknown'}.`, ctx);
  // Unknown whether (B) applies: the policy is known only if both sides agree.
  return policyOf(null, [...s.missing, ...dcMissing], `${C_A}; ${C_B}`, 'Whether a party is headquartered in Macau or D:5 is unknown.', ctx);
}

export const policyAsEnforced: PolicyText = (f, kind, dc, ctx, codified) => {
  const s = strictest(f);
  const dSetNotStrict = f.to!.d145NotA56 && !f.to!.macauOrD5;
  if (s.value !== true && dSetNotStrict && kind === 'a') {
    const useCodified = ctx.choose('INT-48', (r) => r === 'codified_allocation');
    if (useCodified) return codified();
  }
  if (s.value !== false) {
    const relevant = carveOut(kind, dc) !== false;
    const noCarveOut = relevant ? ctx.choose('INT-47', (r) => r === 'codified_denial') : false;
    return strictPolicy(f, kind, dc, ctx, noCarveOut);
  }
  return strictPolicy(f, kind, dc, ctx, false);
};
