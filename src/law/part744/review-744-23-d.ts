/**
 * Review policy for a 744.23(a)(3) license (the headquarters-based end-user control), 15 CFR
 * 744.23(d), by version:
 * - 2023-11-17 (88 FR 73458): Macau and D:5 presumption of denial; approval for end users
 *   headquartered in the U.S., A:5 or A:6 and not majority-owned by a Macau/D:5-headquartered
 *   entity (read here: ultimate parent not headquartered there, an inference); all other
 *   applications case by case. (Foreign availability, also approval, is not modelled.)
 * - 2024-04-04 (89 FR 23876): (d)(1) denial unless (d)(2) or (d)(3); (d)(2) the same approval;
 *   (d)(3)(i) case by case for advanced computing items except datacenter items meeting 3A090.a.
 * 90 FR 4544 is not reported to have amended (d); the 2024-04-04 text applies in both regimes.
 */
import type { ReviewPolicy, Step } from '../../contract/determination.js';
import type { Ctx } from '../../engine/context.js';
import type { TxFacts } from '../../engine/facts.js';
import { and, NONE, type Missing, type Tri } from '../../engine/logic.js';
import { advancedClass } from '../eccn-lists.js';
import { describeHq } from '../headquarters.js';
import { texts } from '../provision.js';
import { policyOf, type Policy } from '../part742/policy.js';

const C = '15 CFR 744.23(d)';

type Text = (f: TxFacts, eccn: string | null, datacenter: Tri, ctx: Ctx) => Policy;

/** (d)(2) / V1's approval: end user headquartered in the U.S., A:5 or A:6, parent not Macau/D:5. */
function trustedEndUser(f: TxFacts): { value: Tri; missing: Missing[] } {
  const u = f.endUser;
  const hqOk: Tri = u.hq === undefined ? undefined : u.hq.us || u.hq.groups.has('A:5') || u.hq.groups.has('A:6');
  const parentOk: Tri = u.uph === undefined ? undefined : !u.uph.macauOrD5;
  const value = and(hqOk, parentOk);
  const missing: Missing[] = value !== undefined ? (NONE as Missing[]) : [
    ...(hqOk === undefined ? [{ path: `${u.path}.headquarters`, why: '744.23(d): end users headquartered in the U.S., A:5 or A:6 get a presumption of approval' }] : []),
    ...(parentOk === undefined ? [{ path: `${u.path}.ultimateParentHeadquarters`, why: '744.23(d): not if majority-owned by a Macau/D:5-headquartered entity' }] : []),
  ];
  return { value, missing };
}

function result(policy: ReviewPolicy | null, missing: Missing[], citation: string, detail: string, ctx: Ctx): Policy {
  const steps: Step[] = ctx.explainOn ? [{ rule: 'Review of a 744.23 license', citation, result: policy ? policy.replace(/_/g, ' ') : 'unknown', detail }] : [];
  return policyOf(policy, policy === null ? missing : [], steps, citation);
}

const v2023: Text = (f, _eccn, _dc, ctx) => {
  const t = trustedEndUser(f);
  const policy: ReviewPolicy | null = t.value === undefined ? null : t.value ? 'presumption_of_approval' : 'case_by_case';
  return result(policy, t.missing, `${C} (text of 2023-11-17)`, `End user ${describeHq(f.endUser)}; other applications outside Macau/D:5 are reviewed case by case.`, ctx);
};

const v2024: Text = (f, eccn, dc, ctx) => {
  const t = trustedEndUser(f);
  if (t.value === true) return result('presumption_of_approval', [], `${C}(2)`, `End user ${describeHq(f.endUser)}.`, ctx);
  const kind = advancedClass(eccn);
  // (d)(3)(i): case by case unless a datacenter item meeting 3A090.a.
  const datacenterA: Tri = kind === 'a' ? dc : kind === 'b' ? false : true;
  const denial = and(datacenterA, t.value === false ? true : undefined);
  if (datacenterA === false) return result('case_by_case', [], `${C}(3)(i)`, `${eccn} is not a datacenter item meeting 3A090.a.`, ctx);
  if (denial === true) return result('presumption_of_denial', [], `${C}(1)`, `A datacenter item meeting 3A090.a for a Macau/D:5-headquartered entity; (d)(2) and (d)(3)(i) do not apply.`, ctx);
  const missing = [...(datacenterA === undefined ? [{ path: 'item.datacenter', why: '744.23(d)(3)(i): case by case unless the item is designed or marketed for datacenters and meets 3A090.a' }] : []), ...t.missing];
  return result(null, missing, C, 'Depends on facts not given.', ctx);
};

const policyText = texts<Text>('744.23(d)', { '2023-11-17': v2023, '2024-04-04': v2024 });

export function review744(f: TxFacts, eccn: string | null, datacenter: Tri, ctx: Ctx): Policy {
  const text = policyText(ctx);
  if (advancedClass(eccn) === 'hbm' || !text) {
    return policyOf('presumption_of_denial', [], ctx.explainOn ? [{ rule: 'Review of a 744.23 license', citation: C, result: 'presumption of denial', detail: 'The license arises because an entity is headquartered (or its ultimate parent is) in Macau or D:5.' }] : [], C);
  }
  return text(f, eccn, datacenter, ctx);
}
