/**
 * License Exceptions NAC and ACA, 15 CFR 740.8, by version:
 * - 2023-11-17 (88 FR 73458): one exception, NAC, for every advanced computing destination; the
 *   25-day notification only for exports and reexports to Macau/D:5 (and, here, to Macau/D:5-
 *   headquartered entities); ACA did not exist. Against a 744.23(a)(3) license: INT-54.
 * - 2024-04-04 (89 FR 23876): NAC for Macau/D:5 and Macau/D:5-headquartered entities (notified);
 *   ACA for D:1/D:4 and transfers within Macau/D:5 (no notification).
 * - As BIS enforces it from 2025-05-15: the 2024-04-04 scopes; the notification's data elements per
 *   INT-50.
 * As revised by 90 FR 4544 (2025-01-13): Both cover 3A090 (not .c), 4A090 and the
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
import { reachesD145NotA56, reachesMacauOrD5 } from '../../engine/places.js';
import { cond as condition } from './exception.js';
import { texts } from '../provision.js';
import { activityRule, part746Rule, anyPartyMacauD5, cond, Conditions, itemRule, noPart744Concern, records, verifyPart744, type Cond, type ExceptionEval, type ExceptionInput } from './exception.js';

const C = { a: '15 CFR 740.8(a)', c1: '15 CFR 740.8(c)(1)', ecc: 'ECCN 3A090, List Based License Exceptions (NAC/ACA)' };

/** 740.8(a)'s activities: transfers too in the text of 2023-11-17, exports and reexports only from 2024-04-04 (ACA keeps transfers). */
const nacActivity2023 = activityRule('NAC', ['export', 'reexport', 'transfer'], C.a);
const nacActivity = activityRule('NAC', ['export', 'reexport'], C.a);
const acaActivity = activityRule('ACA', ['export', 'reexport', 'transfer'], C.a);
const nacItem = itemRule('NAC', 'nacAca');
const acaItem = itemRule('ACA', 'nacAca');
const nacPart746 = part746Rule('NAC');
const acaPart746 = part746Rule('ACA');

/**
 * The datacenter condition depends only on the ECCN and the datacenter flag: each is built once and
 * shared (outputs are read-only), ECCN → [flag true, flag false, flag unknown].
 */
const datacenterConditions = new Map<string | null, (Cond | undefined)[]>();

/** Not a datacenter item meeting 3A090.a. */
function notDatacenterA(x: ExceptionInput): Cond {
  const isA = advancedClass(x.eccn) === 'a';
  const dc = x.cls.datacenter;
  if (isA && dc === undefined) x.ctx.rely('INT-13');
  let byFlag = datacenterConditions.get(x.eccn);
  if (!byFlag) datacenterConditions.set(x.eccn, (byFlag = []));
  const slot = dc === true ? 0 : dc === false ? 1 : 2;
  return byFlag[slot] ??= datacenterCondition(x.eccn, isA, dc);
}

function datacenterCondition(eccn: string | null, isA: boolean, dc: boolean | undefined): Cond {
  const value = isA ? negate(dc === undefined ? { value: undefined, missing: [{ path: 'item.datacenter', why: 'NAC and ACA exclude items designed or marketed for datacenters that meet 3A090.a (INT-13)' }] } : known(dc)) : known(true);
  return cond('not-datacenter-3a090a', value, `${C.a}; ${C.ecc}`,
    !isA ? `${eccn} does not meet 3A090.a.` : dc === undefined ? 'Whether the item is designed or marketed for datacenters is unknown (INT-13).' : dc ? 'A datacenter item meeting 3A090.a: excluded from NAC and ACA.' : 'Not designed or marketed for datacenters.');
}

function macauOrD5Scope(x: ExceptionInput): Finding {
  return anyOf(known(reachesMacauOrD5(x.f, x.ctx)), anyPartyMacauD5(x.f));
}

type Version = '2023' | '2024' | '2025' | 'enforced';
const versionOf = texts<Version>('740.8', { '2023-11-17': '2023', '2024-04-04': '2024', '2025-01-13': '2025', '2025-05-15': 'enforced' });

/** ACA before 2024-04-04: not yet an exception. */
const NOT_YET = (code: string) => condition('exception-in-force', false, '15 CFR 740.8 (text of 2023-11-17)', `${code} was created by 89 FR 23876, effective 2024-04-04.`);

export function evaluateNac(x: ExceptionInput): ExceptionEval {
  const v = versionOf(x.ctx);
  const k = new Conditions(x);
  if (v === undefined) {
    k.add(condition('exception-in-force', false, '15 CFR 740.8', 'License Exception NAC was created by 88 FR 73458, effective 2023-11-17.'));
    return k.finish('NAC', nacObligations);
  }
  if (v === '2023') {
    k.add(nacItem(x.eccn)) &&
      k.add(notDatacenterA(x)) &&
      k.add(nacActivity2023(x.f)) &&
      k.add(nacPart746(x.f)) &&
      k.add(nacOver744(x)) &&
      k.add(noPart744Concern(x.f));
    // V1's notification: only exports and reexports to Macau or D:5 (740.8(a)(2), (c)(1) of 2023-11-17).
    return k.finish('NAC', () => (reachesMacauOrD5(x.f, x.ctx) && x.f.activity !== 'transfer' ? NAC_OBLIGATIONS_2023 : NAC_OBLIGATIONS_2023_NO_NOTICE) as Obligation[]);
  }
  k.add(nacItem(x.eccn)) &&
    k.add(notDatacenterA(x)) &&
    k.add(nacActivity(x.f)) &&
    k.add(nacPart746(x.f)) &&
    k.add(nacScope(x)) &&
    k.add(noPart744Concern(x.f));
  return k.finish('NAC', () => nacObligationsFor(x));
}

/** V1: 744.23(c) barred every exception, 740.8(b)(1) allowed NAC for a 744.23(a)(3) license (INT-54). */
function nacOver744(x: ExceptionInput): Cond {
  const hqCase = !reachesD145NotA56(x.f, x.ctx);
  if (!hqCase) return condition('not-744-23-license', true, C.a, 'The license arises under 742.6(a)(6)(iii), not 744.23(a)(3).');
  const ok = x.ctx.choose('INT-54', (r) => r === 'nac_available');
  return condition('overcomes-744-23', ok, '15 CFR 740.8(b)(1); 15 CFR 744.23(c) (text of 2023-11-17)', `A 744.23(a)(3) license: 740.8(b)(1) allows NAC, 744.23(c) bars every exception (INT-54: ${x.ctx.reading('INT-54')}).`);
}

function nacScope(x: ExceptionInput): Cond {
  const scope = macauOrD5Scope(x);
  return cond('macau-d5-destination-or-entity', scope, C.a, () => scope.value === false ? `Neither the destination (${describe(x.f.to)}) nor any party's headquarters is Macau or D:5: ACA, not NAC, is the exception for this.` : `Destination ${describe(x.f.to)}; NAC covers Macau/D:5 destinations and Macau/D:5-headquartered entities.`);
}

export function evaluateAca(x: ExceptionInput): ExceptionEval {
  const v = versionOf(x.ctx);
  const k = new Conditions(x);
  if (v === undefined || v === '2023') {
    k.add(NOT_YET('ACA'));
    return k.finish('ACA', () => ACA_OBLIGATIONS as Obligation[]);
  }
  // The versions differ only in where ACA reaches: D:1/D:4 (2024) or worldwide (90 FR 4544); as
  // enforced, per INT-45.
  const scope = v === '2024' ? acaScope2024 : v === 'enforced' ? enforcedAcaScope(x) : acaScope;
  k.add(acaItem(x.eccn)) &&
    k.add(notDatacenterA(x)) &&
    k.add(acaActivity(x.f)) &&
    k.add(acaPart746(x.f)) &&
    k.add(scope(x)) &&
    k.add(noPart744Concern(x.f));
  return k.finish('ACA', () => ACA_OBLIGATIONS as Obligation[]);
}

function acaScope(x: ExceptionInput): Cond {
  const transferWithin = and(x.f.activity === 'transfer', x.f.to!.macauOrD5);
  const scope: Finding = transferWithin ? known(true) : negate(macauOrD5Scope(x));
  return cond('outside-macau-d5-or-transfer-within', scope, C.a, () => transferWithin ? `A transfer (in-country) within ${describe(x.f.to)}.` : `ACA covers any destination except Macau/D:5 and Macau/D:5-headquartered entities (destination ${describe(x.f.to)}).`);
}

/**
 * As BIS enforces 740.8: ACA's worldwide widening is one of 90 FR 4544's relaxations, so the 2024
 * scope applies under INT-45 v3_posture, and the worldwide one where the relaxations stay usable
 * (keep_relaxations). It is moot (E15) except where a license is required outside D:1/D:4, as for
 * a .b item to the UAE from 2026-07-10 (red team, 2026-12-06): INT-45 is relied on only there.
 */
function enforcedAcaScope(x: ExceptionInput): (x: ExceptionInput) => Cond {
  const worldwide = x.ctx.choose('INT-45', (r) => r !== 'v3_posture', (a, b) => a === b || acaScope2024(x).status === acaScope(x).status);
  return worldwide ? acaScope : acaScope2024;
}

/** 2024-04-04 text: D:1/D:4 (not Macau/D:5, no Macau/D:5-headquartered party), or a transfer within Macau/D:5. */
function acaScope2024(x: ExceptionInput): Cond {
  const to = x.f.to!;
  const transferWithin = x.f.activity === 'transfer' && to.macauOrD5;
  const d14 = to.groups.has('D:1') || to.groups.has('D:4');
  const scope: Finding = transferWithin ? known(true) : !d14 ? known(false) : negate(macauOrD5Scope(x));
  return cond('d1-d4-destination-or-transfer-within', scope, `${C.a} (text of 2024-04-04)`, () => transferWithin ? `A transfer (in-country) within ${describe(to)}.` : `ACA covered D:1 and D:4 destinations other than Macau/D:5 and Macau/D:5-headquartered entities (destination ${describe(to)}).`);
}

/** The notification's data elements: three before 90 FR 4544; six after; as enforced per INT-50. */
function nacObligationsFor(x: ExceptionInput): Obligation[] {
  const v = versionOf(x.ctx);
  const six = v === '2025' || (v === 'enforced' && x.ctx.choose('INT-50', (r) => r === 'all_six'));
  return (six ? NAC_OBLIGATIONS : NAC_OBLIGATIONS_PRE_RULE) as Obligation[];
}

// NAC's and ACA's obligations do not depend on the shipment: built once, shared, read-only.
/**
 * 740.8(a)(1): a written purchase order is required (commercial samples excepted), in every text
 * since 2023-11-17; 90 FR 4544 revised only the introductory text of (a) (red team, 2026-12-06).
 */
const PURCHASE_ORDER: Obligation = Object.freeze({
  what: 'Hold a written purchase order for the items (commercial samples excepted).',
  when: 'before the export, reexport or transfer',
  to: 'your records',
  citation: '15 CFR 740.8(a)(1)',
});

const NAC_OBLIGATIONS: readonly Obligation[] = Object.freeze([
  PURCHASE_ORDER,
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

// Before 90 FR 4544 (and as enforced under INT-50 three): TPP, performance density and the datasheet.
const NAC_OBLIGATIONS_PRE_RULE: readonly Obligation[] = Object.freeze([
  PURCHASE_ORDER,
  {
    what: 'Submit a NAC notification in SNAP-R (Box 9: "NAC") with the total processing performance, the performance density and a datasheet showing whether the item is designed or marketed for datacenters. Ship only if BIS has not objected (BIS may require a license).',
    when: `at least ${NAC_NOTICE_DAYS} calendar days before the export or reexport`,
    deadline: `${NAC_NOTICE_DAYS} days before shipment`,
    to: 'BIS via SNAP-R',
    citation: `${C.c1} (text of 2024-04-04)`,
  },
  verifyPart744(),
  records('15 CFR 740.8; part 762', 'each NAC export or reexport and the notification'),
]);

// V1 (88 FR 73458): NAC was the only exception of 740.8; the same notification, in its own text.
const NAC_OBLIGATIONS_2023: readonly Obligation[] = Object.freeze([
  PURCHASE_ORDER,
  { ...NAC_OBLIGATIONS_PRE_RULE[1]!, citation: `${C.c1} (text of 2023-11-17)` },
  verifyPart744(),
  records('15 CFR 740.8; part 762', 'each NAC export or reexport and the notification'),
]);

// V1: NAC to or within D:1/D:4, and transfers within Macau/D:5, needed no notification (740.8(a) of 2023-11-17).
const NAC_OBLIGATIONS_2023_NO_NOTICE: readonly Obligation[] = Object.freeze([
  PURCHASE_ORDER,
  verifyPart744(),
  records('15 CFR 740.8; part 762', 'each NAC export, reexport or transfer'),
]);

// ACA needs no notification to BIS (740.8(a)): the purchase order and what every exception needs.
const ACA_OBLIGATIONS: readonly Obligation[] = Object.freeze([
  PURCHASE_ORDER,
  verifyPart744(),
  records('15 CFR 740.8; part 762', 'each ACA export, reexport or transfer'),
]);

function nacObligations(): Obligation[] {
  return NAC_OBLIGATIONS as Obligation[];
}

