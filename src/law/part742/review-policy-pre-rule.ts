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
import { reachesD145NotA56, reachesMacauOrD5 } from '../../engine/places.js';
import { policyOf, type Policy } from './policy.js';
import { uaeRuleOn } from './uae-91-fr-43034.js';

export type PolicyText = (f: TxFacts, kind: 'a' | 'b', datacenter: Tri, ctx: Ctx, codified: () => Policy) => Policy;

const C_2023 = '15 CFR 742.6(b)(10)(ii) (text of 2023-11-17)';
const C_A = '15 CFR 742.6(b)(10)(iii)(A) (text of 2024-12-02)';
const C_B = '15 CFR 742.6(b)(10)(iii)(B) (text of 2024-12-02)';

/** Destination Macau/D:5, or a party headquartered (or whose ultimate parent is) there. */
function strictest(f: TxFacts, ctx: Ctx): Finding {
  return anyOf({ value: reachesMacauOrD5(f, ctx), missing: [] }, ...partiesOf(f).map((p) => hqOrParentIn(p, inMacauOrD5, 'Macau or Country Group D:5')));
}

function preRulePolicy(policy: ReviewPolicy | null, missing: Missing[], citation: string, detail: string, ctx: Ctx): Policy {
  const steps: Step[] = ctx.explainOn ? [{ rule: 'Review policy for advanced computing items', citation, result: policy ? policy.replace(/_/g, ' ') : 'unknown', detail }] : [];
  return policyOf(policy, policy === null ? missing : [], steps, citation);
}

export const policy2023: PolicyText = (f, _kind, _dc, ctx) => {
  const s = strictest(f, ctx);
  const policy: ReviewPolicy | null = s.value === undefined ? null : s.value ? 'presumption_of_denial' : 'presumption_of_approval';
  return preRulePolicy(policy, s.missing, C_2023, `Destination ${describe(f.to)}; Macau/D:5 destination or headquarters: ${s.value ?? 'unknown'}.`, ctx);
};

/** (B)'s carve-outs: non-datacenter .a, datacenter .b. */
function carveOut(kind: 'a' | 'b', dc: Tri): Tri {
  if (dc === undefined) return undefined;
  return kind === 'a' ? !dc : dc;
}

export const policy2024: PolicyText = (f, kind, dc, ctx) => strictPolicy(f, kind, dc, ctx, false);

function strictPolicy(f: TxFacts, kind: 'a' | 'b', dc: Tri, ctx: Ctx, noCarveOut: boolean): Policy {
  const s = strictest(f, ctx);
  if (s.value === false) return preRulePolicy('presumption_of_approval', [], C_A, `Destination ${describe(f.to)}; no party headquartered in Macau or D:5.`, ctx);
  const cut = noCarveOut ? false : carveOut(kind, dc);
  const ifStrict: ReviewPolicy | null = cut === undefined ? null : cut ? 'case_by_case' : 'presumption_of_denial';
  const citation = noCarveOut ? `${C_B}; 15 CFR 742.6(b)(10)(iii)(A)(1), (iv)(B) (INT-47)` : C_B;
  const dcMissing: Missing[] = cut === undefined ? [{ path: 'item.datacenter', why: '742.6(b)(10)(iii)(B): case by case for non-datacenter .a items and datacenter .b items' }] : [];
  if (s.value === true) return preRulePolicy(ifStrict, dcMissing, citation, `Macau/D:5 destination or headquarters; ${kind === 'a' ? 'non-datacenter .a' : 'datacenter .b'} carve-out: ${cut ?? 'unknown'}.`, ctx);
  // Unknown whether (B) applies: the policy is known only if both sides agree.
  return preRulePolicy(null, [...s.missing, ...dcMissing], `${C_A}; ${C_B}`, 'Whether a party is headquartered in Macau or D:5 is unknown.', ctx);
}

export const policyAsEnforced: PolicyText = (f, kind, dc, ctx, codified) => {
  const s = strictest(f, ctx);
  const dSetNotStrict = reachesD145NotA56(f, ctx) && !reachesMacauOrD5(f, ctx);
  if (s.value !== true && dSetNotStrict && kind === 'a') {
    const useCodified = ctx.choose('INT-48', (r) => r === 'codified_allocation');
    if (useCodified) return codified();
  }
  if (s.value === false && uaeRuleOn(f, ctx)) return uaePolicy(ctx);
  if (s.value !== false) {
    const relevant = carveOut(kind, dc) !== false;
    const noCarveOut = relevant ? ctx.choose('INT-47', (r) => r === 'codified_denial') : false;
    return strictPolicy(f, kind, dc, ctx, noCarveOut);
  }
  return strictPolicy(f, kind, dc, ctx, false);
};

/**
 * A UAE party that still needs a license from 2026-07-10 (not approved in Supp. No. 8; INT-46):
 * which policy BIS applies to its application is not stated in what aidr has read of 91 FR 43034
 * (U-7), so INT-57 names the reading: the pre-rule approval, or no policy at all.
 */
function uaePolicy(ctx: Ctx): Policy {
  const citation = `${C_A}; 91 FR 43034 (INT-57)`;
  if (ctx.choose('INT-57', (r) => r === 'v3_approval')) {
    return preRulePolicy('presumption_of_approval', [], citation, `The items reach the United Arab Emirates (A:5 from 2026-07-10); no party headquartered in Macau or D:5; the pre-rule approval policy, an inference (INT-57).`, ctx);
  }
  return preRulePolicy(null, [], citation, 'The review policy BIS applies to a UAE party outside Supp. No. 8 is not known (INT-57).', ctx);
}
