/**
 * License Exceptions NAC and ACA, 15 CFR 740.8 as revised. Both cover 3A090 (not .c), 4A090 and the
 * .z items, except items designed or marketed for datacenters that meet 3A090.a (INT-13 when that is
 * unknown). NAC: exports and reexports to Macau or D:5, or to entities headquartered (or whose
 * ultimate parent is) there, after a SNAP-R notification at least 25 days ahead (c)(1). ACA: exports,
 * reexports and transfers anywhere else, and transfers within Macau and D:5, with no notification.
 */
import type { Obligation } from '../../contract/determination.js';
import { NAC_LOOKBACK_MONTHS, NAC_NOTICE_DAYS } from '../../data/parameters.js';
import { and, anyOf, known, negate, type Finding } from '../../engine/logic.js';
import { advancedClass } from '../eccn-lists.js';
import { describe } from '../headquarters.js';
import { reachesMacauOrD5 } from '../../engine/places.js';
import { activityCovered, notUnderPart746, anyPartyMacauD5, cond, Conditions, itemCovered, noPart744Concern, records, verifyPart744, type Cond, type ExceptionEval, type ExceptionInput } from './exception.js';

const C = { a: '15 CFR 740.8(a)', c1: '15 CFR 740.8(c)(1)', ecc: 'ECCN 3A090, List Based License Exceptions (NAC/ACA)' };

/** Not a datacenter item meeting 3A090.a. */
function notDatacenterA(x: ExceptionInput): Cond {
  const isA = advancedClass(x.eccn) === 'a';
  const dc = x.cls.datacenter;
  if (isA && dc === undefined) x.ctx.rely('INT-13');
  const value = isA ? negate(dc === undefined ? { value: undefined, missing: [{ path: 'item.datacenter', why: 'NAC and ACA exclude items designed or marketed for datacenters that meet 3A090.a (INT-13)' }] } : known(dc)) : known(true);
  return cond('not-datacenter-3a090a', value, `${C.a}; ${C.ecc}`,
    () => !isA ? `${x.eccn} does not meet 3A090.a.` : dc === undefined ? 'Whether the item is designed or marketed for datacenters is unknown (INT-13).' : dc ? 'A datacenter item meeting 3A090.a: excluded from NAC and ACA.' : 'Not designed or marketed for datacenters.');
}

function macauOrD5Scope(x: ExceptionInput): Finding {
  return anyOf(known(reachesMacauOrD5(x.f, x.ctx)), anyPartyMacauD5(x.f));
}

export function evaluateNac(x: ExceptionInput): ExceptionEval {
  const k = new Conditions(x);
  k.add(itemCovered('NAC', 'nacAca', x.eccn)) &&
    k.add(notDatacenterA(x)) &&
    k.add(activityCovered(x.f, ['export', 'reexport'], C.a, 'NAC')) &&
    k.add(notUnderPart746(x.f, 'NAC')) &&
    k.add(nacScope(x)) &&
    k.add(noPart744Concern(x.f));
  return k.finish('NAC', nacObligations);
}

function nacScope(x: ExceptionInput): Cond {
  const scope = macauOrD5Scope(x);
  return cond('macau-d5-destination-or-entity', scope, C.a, () => scope.value === false ? `Neither the destination (${describe(x.f.to)}) nor any party's headquarters is Macau or D:5: ACA, not NAC, is the exception for this.` : `Destination ${describe(x.f.to)}; NAC covers Macau/D:5 destinations and Macau/D:5-headquartered entities.`);
}

export function evaluateAca(x: ExceptionInput): ExceptionEval {
  const k = new Conditions(x);
  k.add(itemCovered('ACA', 'nacAca', x.eccn)) &&
    k.add(notDatacenterA(x)) &&
    k.add(activityCovered(x.f, ['export', 'reexport', 'transfer'], C.a, 'ACA')) &&
    k.add(notUnderPart746(x.f, 'ACA')) &&
    k.add(acaScope(x)) &&
    k.add(noPart744Concern(x.f));
  return k.finish('ACA', () => ACA_OBLIGATIONS as Obligation[]);
}

function acaScope(x: ExceptionInput): Cond {
  const transferWithin = and(x.f.activity === 'transfer', x.f.to!.macauOrD5);
  const scope: Finding = transferWithin ? known(true) : negate(macauOrD5Scope(x));
  return cond('outside-macau-d5-or-transfer-within', scope, C.a, () => transferWithin ? `A transfer (in-country) within ${describe(x.f.to)}.` : `ACA covers any destination except Macau/D:5 and Macau/D:5-headquartered entities (destination ${describe(x.f.to)}).`);
}

// NAC's and ACA's obligations do not depend on the shipment: built once, shared, read-only.
const NAC_OBLIGATIONS: readonly Obligation[] = Object.freeze([
  {
    what: `Submit a NAC notification in SNAP-R (Box 9: "NAC") with TPP, performance density, datasheet showing design/marketing, all NAC and license approvals to the end user in the past ${NAC_LOOKBACK_MONTHS} months, memory bandwidth, and whether the items go into a computing cluster (its aggregate TPP; internal use by a U.S. or A:5/A:6-headquartered company or use by others/cloud). Ship only if BIS has not objected.`,
    when: `at least ${NAC_NOTICE_DAYS} calendar days before the export or reexport`,
    deadline: `${NAC_NOTICE_DAYS} days before shipment`,
    to: 'BIS via SNAP-R',
    citation: C.c1,
  },
  verifyPart744(),
  records('15 CFR 740.8; part 762', 'each NAC export or reexport and the notification'),
]);

// ACA needs no notification to BIS (740.8(a)); only what every exception needs.
const ACA_OBLIGATIONS: readonly Obligation[] = Object.freeze([
  verifyPart744(),
  records('15 CFR 740.8; part 762', 'each ACA export, reexport or transfer'),
]);

function nacObligations(): Obligation[] {
  return NAC_OBLIGATIONS as Obligation[];
}
