/**
 * Red flag 28, Supp. No. 3 to part 732 (added by the rule): providing IaaS or other computing
 * products or services to help train an AI model whose weights would be 4E091, for an entity
 * headquartered (or whose ultimate parent is headquartered) outside Supp. 5(a). The weights could
 * be exported without the license they need, and the provider would have aided and abetted
 * (15 CFR 764.2(b)). Expected response: ask whether the customer will export the model; if so,
 * apply for the license or tell the customer it must before exporting.
 */
import type { RedFlag } from '../../contract/determination.js';
import type { TxFacts } from '../../engine/facts.js';
import { and, anyOf, type Missing, type Tri } from '../../engine/logic.js';
import { describeHq, hqOrParentOutside, inSupp5a } from '../headquarters.js';

export const CITE_RF28 = '15 CFR part 732, Supp. No. 3, red flag 28';

export interface RedFlagFinding { flag?: RedFlag; missing: Missing[] }

/**
 * `controlled`: whether the model being trained would be 4E091. The flag asks about the entity the
 * model is trained for: the named end user when there is one (a reseller buying training for its
 * customer), as well as the customer that buys the service.
 */
export function redFlag28(f: TxFacts, controlled: Tri): RedFlagFinding {
  const outside = f.separateEndUser
    ? anyOf(hqOrParentOutside(f.consignee, inSupp5a, 'Supp. 5(a) destinations'), hqOrParentOutside(f.endUser, inSupp5a, 'Supp. 5(a) destinations'))
    : hqOrParentOutside(f.consignee, inSupp5a, 'Supp. 5(a) destinations');
  const present = and(controlled, outside.value);
  if (present === false) return { missing: [] };
  const who = f.separateEndUser ? `the customer (${describeHq(f.consignee)}) and the end user it is trained for (${describeHq(f.endUser)})` : `a customer with ${describeHq(f.consignee)}`;
  const detail = `Training a model that ${controlled === undefined ? 'may be' : 'would be'} captured by ECCN 4E091 for ${who}${outside.value === undefined ? ', not known to be within Supp. 5(a)' : ''}. The weights, being digital, are at substantial risk of export where a license is required; without the license the provider would have aided and abetted a violation (15 CFR 764.2(b)).`;
  return {
    flag: {
      id: 'RF28',
      status: present ? 'present' : 'possible',
      citation: CITE_RF28,
      detail,
      action: 'Ask the customer whether it intends to export the model weights; if so, apply for the license (presumption of denial, 742.6(b)(14)) or inform the customer of its obligation to obtain one before export. Record the inquiry.',
    },
    missing: present === undefined ? outside.missing : [],
  };
}
