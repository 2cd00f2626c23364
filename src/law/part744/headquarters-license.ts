/**
 * 15 CFR 744.23(a)(3)(i) as revised: a license is required for
 * (A) .b-level items (3A090.b, 4A090.b and .z counterparts) to any destination outside D:1/D:4/D:5
 *     (or in A:5/A:6) for an entity headquartered in, or whose ultimate parent is headquartered in,
 *     Macau or D:5 (e.g. a PRC-headquartered cloud provider abroad);
 * (B) 3A090.c (HBM) to any destination other than Macau or D:5 for such an entity.
 */
import type { TxFacts } from '../../engine/facts.js';
import type { Ctx } from '../../engine/context.js';
import { anyOf, NONE, type Missing } from '../../engine/logic.js';
import { covers, listCitation } from '../eccn-lists.js';
import { describe, hqOrParentIn, inMacauOrD5 } from '../headquarters.js';
import { partiesOf } from '../../engine/facts.js';
import { reachesD145NotA56, reachesMacauOrD5 } from '../../engine/places.js';
import type { Requirement } from '../part742/license-requirement.js';

export function headquartersLicense744(f: TxFacts, eccn: string | null, ctx: Ctx): Requirement | undefined {
  const to = f.to!;
  const b = covers('headquartersLicenseB', eccn) && !reachesD145NotA56(f, ctx);
  const hbm = covers('headquartersLicenseHbm', eccn) && !reachesMacauOrD5(f, ctx);
  if (!b && !hbm) return undefined;
  const c = listCitation(b ? 'headquartersLicenseB' : 'headquartersLicenseHbm');
  const hq = anyOf(...partiesOf(f).map((p) => hqOrParentIn(p, inMacauOrD5, 'Macau or Country Group D:5')));
  return {
    value: hq.value,
    missing: hq.value === undefined ? hq.missing : (NONE as Missing[]),
    steps: !ctx.explainOn ? [] : [{
      rule: 'Headquarters-based license requirement',
      citation: c,
      result: hq.value === undefined ? 'unknown' : hq.value ? 'license required' : 'not applicable',
      detail: `${eccn} to ${describe(to)} for an entity headquartered (or with an ultimate parent headquartered) in Macau or D:5: ${hq.value ?? 'unknown'}.`,
    }],
    citations: hq.value === false ? [] : [c],
  };
}

export const CITE_744_23_REVIEW = '15 CFR 744.23(d)';
