/**
 * License Exception ACM, 15 CFR 740.28: 3A090, 4A090 and .z items (not 4E091) to 'private sector
 * end users' for development, production, or storage before going on to the ultimate end user,
 * for items ultimately destined to customers outside Macau and D:5; not to Macau or D:5, nor when
 * the ultimate consignee (or its ultimate parent) is headquartered there. Exporters keep a
 * per-facility accounting of items in and out, updated at least every six months.
 */
import type { Obligation } from '../../contract/determination.js';
import { ACM_ACCOUNTING_MONTHS } from '../../data/parameters.js';
import type { EndUse } from '../../engine/facts.js';
import { activityRule, part746Rule, cond, Conditions, ultimateConsigneeNotMacauD5, itemRule, noDestinationMacauD5, noPart744Concern, records, verifyPart744, type Cond, type ExceptionEval, type ExceptionInput } from './exception.js';

const C = { a: '15 CFR 740.28(a)', c: '15 CFR 740.28(c)', d: '15 CFR 740.28(d)', e: '15 CFR 740.28(e)', rec: '15 CFR 762.2(b)(59)' };

const acmActivity = activityRule('ACM', ['export', 'reexport', 'transfer'], C.a);
const acmItem = itemRule('ACM', 'acm');
const acmPart746 = part746Rule('ACM');

const PERMITTED: readonly EndUse[] = ['development', 'production', 'storage'];
/** End uses that rule ACM out: training or any activity other than development, production, storage (preamble). */
const EXCLUDED: readonly EndUse[] = ['ai_training', 'datacenter', 'iaas', 'other'];

export function evaluateAcm(x: ExceptionInput): ExceptionEval {
  const { f } = x;
  const k = new Conditions(x);
  k.add(acmItem(x.eccn)) &&
    k.add(acmActivity(f)) &&
    k.add(acmPart746(f)) &&
    k.add(endUse(x)) &&
    k.add(privateSector(x)) &&
    k.add(noDestinationMacauD5(x, C.c)) &&
    k.add(ultimateConsigneeNotMacauD5(x, C.c, 'INT-26')) &&
    k.add(cond('ultimate-customers-outside-macau-d5', f.facts.ultimateCustomersInMacauOrD5 !== true, C.a,
      f.facts.ultimateCustomersInMacauOrD5 === true ? 'The items are ultimately destined to customers in Macau or D:5.' : 'No ultimate customer in Macau or D:5 is known (the items must go only to customers outside them).')) &&
    k.add(noPart744Concern(f));
  return k.finish('ACM', obligations);
}

/** (a) and the preamble: development, production or storage only; never training or other uses. */
function endUse(x: ExceptionInput): Cond {
  const uses = x.f.endUses;
  const permitted = uses.some((u) => PERMITTED.includes(u));
  const excluded = uses.filter((u) => EXCLUDED.includes(u));
  return cond('end-use-development-production-storage', permitted && excluded.length === 0, C.a,
    () => !permitted
      ? uses.length === 0 ? 'No development, production or storage end use is claimed (endUses).' : `Claimed end uses (${uses.join(', ')}) include no development, production or storage.`
      : excluded.length > 0 ? `ACM cannot be used when the end use includes ${excluded.join(', ')} (training or activities other than development, production, storage).` : `End use: ${uses.join(', ')}.`);
}

function privateSector(x: ExceptionInput): Cond {
  const p = x.f.endUser;
  const s = p.sector;
  return cond('private-sector-end-user', s === undefined ? { value: undefined, missing: [{ path: `${p.path}.sector`, why: 'ACM is only for private sector end users (not owned or controlled by a government other than the U.S.)' }] } : s === 'private',
    C.d, s === undefined ? 'Whether the end user is a private sector end user is unknown.' : s === 'private' ? 'The end user is a private sector end user.' : 'The end user is a government (or government-controlled) entity.');
}

/** ACM's obligations do not depend on the shipment: built once, shared, read-only. */
const OBLIGATIONS: readonly Obligation[] = Object.freeze([
  { what: `Keep a distribution accounting of the items transferred into and out of each facility, updated at least every ${ACM_ACCOUNTING_MONTHS} months.`, when: 'continuously', to: 'your records', citation: C.e },
  { what: 'Make sure the developed, produced or stored items go only to customers outside Macau and Country Group D:5 unless otherwise authorized.', when: 'before the items leave the facility', to: 'the facility', citation: C.a },
  verifyPart744(),
  records(C.rec, 'each ACM export, reexport or transfer'),
]);

function obligations(): Obligation[] {
  return OBLIGATIONS as Obligation[];
}
