/**
 * License Exception HBM, 15 CFR 740.25 (89 FR 96790, from 2024-12-02; the AI Diffusion rule left
 * it in place and 740.2(a)(9)(ii) keeps it open). It authorizes 3A090.c high bandwidth memory:
 * (b) only for an exporter, reexporter or transferor headquartered in the United States or A:5,
 *     without an ultimate parent headquartered in Macau or D:5;
 * (c) only memory with a 'memory bandwidth density' below 3.3 GB/s per mm², (c)(1) bought directly
 *     by the designer of the co-packaged commodity where it goes to Macau or D:5, and (c)(2)
 *     shipped directly to the packaging site;
 * (d) not through distributors or intermediate consignees (other than a freight forwarder or customs
 *     agent hired by the packaging site), and not for co-packaging at a Macau or D:5 'facility' where
 *     advanced-node ICs are produced;
 * (e) a unit-count discrepancy above 1 % is a red flag, reported to BIS within 60 days if unresolved.
 */
import type { Obligation } from '../../contract/determination.js';
import type { CountryFacts } from '../../data/country-groups.js';
import { HBM } from '../../data/parameters.js';
import { reachesMacauOrD5 } from '../../engine/places.js';
import { allOf, known, type Finding } from '../../engine/logic.js';
import { formatExact } from '../../compute/exact.js';
import { compareMbd, mbdText } from '../part774/eccn-3a090c.js';
import { describe, describeHq, inMacauOrD5 } from '../headquarters.js';
import { activityRule, cond, Conditions, itemRule, noPart744Concern, part746Rule, records, verifyPart744, type Cond, type ExceptionEval, type ExceptionInput } from './exception.js';

const C = { a: '15 CFR 740.25', b: '15 CFR 740.25(b)', c: '15 CFR 740.25(c)', c1: '15 CFR 740.25(c)(1)', c2: '15 CFR 740.25(c)(2)', d: '15 CFR 740.25(d)', e: '15 CFR 740.25(e)' };

const hbmActivity = activityRule('HBM', ['export', 'reexport', 'transfer'], C.a);
const hbmItem = itemRule('HBM', 'hbm');
const hbmPart746 = part746Rule('HBM');

const usOrA5 = (c: CountryFacts) => c.us || c.groups.has('A:5');
const usA5OrA6 = (c: CountryFacts) => c.us || c.groups.has('A:5') || c.groups.has('A:6');

export function evaluateHbm(x: ExceptionInput): ExceptionEval {
  const { f } = x;
  const k = new Conditions(x);
  k.add(hbmItem(x.eccn)) &&
    k.add(cond('in-force', f.asOf >= HBM.from, C.a, () => `License Exception HBM exists from ${HBM.from} (89 FR 96790).`)) &&
    k.add(hbmActivity(f)) &&
    k.add(hbmPart746(f)) &&
    k.add(exporterHeadquarters(x)) &&
    k.add(densityBelowLimit(x)) &&
    k.add(boughtByDesigner(x)) &&
    k.add(fact('shipped-direct-to-packaging-site', f.facts.hbmShippedDirectToPackagingSite, 'facts.hbmShippedDirectToPackagingSite', `${C.c2}; ${C.d}`, 'HBM requires the items to be shipped directly to the packaging site, with no intermediate consignee other than a freight forwarder or customs clearance agent hired by the packaging site', 'The items are shipped directly to the packaging site.', 'The items are not shipped directly to the packaging site (an intermediate consignee other than the packaging site\'s forwarder or customs agent): HBM is not available.')) &&
    k.add(cond('no-distributor', !f.viaDistributor, C.d, f.viaDistributor ? 'Through a distributor: HBM is not available.' : 'Not through a distributor.')) &&
    k.add(notAdvancedNodeFacility(x)) &&
    k.add(licenseUnder744(x)) &&
    k.add(noPart744Concern(f));
  return k.finish('HBM', () => obligations(x));
}

function fact(id: string, v: boolean | undefined, path: string, citation: string, why: string, yes: string, no: string): Cond {
  const finding: Finding = v === undefined ? { value: undefined, missing: [{ path, why }] } : known(v);
  return cond(id, finding, citation, v === undefined ? `Unknown: ${why}.` : v ? yes : no);
}

/** (b): exporter headquartered in the U.S. or A:5, without an ultimate parent in Macau or D:5. */
function exporterHeadquarters(x: ExceptionInput): Cond {
  const e = x.f.exporter;
  const own: Finding = e?.hq === undefined ? { value: undefined, missing: [{ path: 'exporter.headquarters', why: 'License Exception HBM is only for an exporter, reexporter or transferor headquartered in the United States or Country Group A:5 (740.25(b))' }] } : known(usOrA5(e.hq));
  const parent: Finding = e?.uph === undefined ? { value: undefined, missing: [{ path: 'exporter.ultimateParentHeadquarters', why: 'License Exception HBM is not for an exporter whose ultimate parent is headquartered in Macau or D:5 (740.25(b))' }] } : known(!inMacauOrD5(e.uph));
  const ok = allOf(own, parent);
  return cond('exporter-headquarters', ok, C.b, () => e ? `Exporter ${describeHq(e)}: HBM needs headquarters in the United States or A:5 and no ultimate parent headquartered in Macau or D:5.` : 'The exporter\'s headquarters are not given.');
}

/** (c): memory bandwidth density below the limit. */
function densityBelowLimit(x: ExceptionInput): Cond {
  const c = compareMbd(x.cls.mbd, HBM.mbdBelow);
  const finding: Finding = c === undefined ? { value: undefined, missing: [{ path: 'item.memoryBandwidthDensity', why: `License Exception HBM covers only 3A090.c memory with a memory bandwidth density below ${formatExact(HBM.mbdBelow)} GB/s per mm² (740.25(c))` }] } : known(c < 0);
  return cond('memory-bandwidth-density-below-limit', finding, C.c, () => `Memory bandwidth density ${mbdText(x.cls.mbd)} against the limit of less than ${formatExact(HBM.mbdBelow)} GB/s per mm².`);
}

/** (c)(1): to Macau or D:5, only if bought directly by the designer of the co-packaged commodity. */
function boughtByDesigner(x: ExceptionInput): Cond {
  if (!reachesMacauOrD5(x.f, x.ctx)) return cond('bought-by-co-package-designer', true, C.c1, 'The items do not go to Macau or D:5: (c)(1) does not apply.');
  return fact('bought-by-co-package-designer', x.f.facts.hbmBoughtByCoPackageDesigner, 'facts.hbmBoughtByCoPackageDesigner', C.c1, 'to Macau or D:5, HBM requires the items to be bought directly by the designer of the co-packaged commodity',
    'Bought directly by the designer of the co-packaged commodity.', 'Not bought directly by the designer of the co-packaged commodity.');
}

/** (d): not for co-packaging at a Macau/D:5 'facility' where advanced-node ICs are produced. */
function notAdvancedNodeFacility(x: ExceptionInput): Cond {
  if (!reachesMacauOrD5(x.f, x.ctx)) return cond('not-advanced-node-facility', true, C.d, 'The packaging site is not in Macau or D:5.');
  const v = x.f.facts.hbmPackagedAtAdvancedNodeFacility;
  const finding: Finding = v === undefined ? { value: undefined, missing: [{ path: 'facts.hbmPackagedAtAdvancedNodeFacility', why: 'HBM is not available for co-packaging at a facility in Macau or D:5 where advanced-node ICs are produced (740.25(d))' }] } : known(!v);
  return cond('not-advanced-node-facility', finding, C.d, v === undefined ? 'Whether the co-packaging facility produces advanced-node ICs is unknown.' : v ? 'Co-packaged at a Macau/D:5 facility producing advanced-node ICs: HBM is not available.' : 'Not co-packaged at a facility producing advanced-node ICs.');
}

/**
 * The license may arise only from 744.23(a)(3)(i)(B) (an entity headquartered in Macau or D:5,
 * outside them). 740.8(b) lets NAC/ACA overcome such a license; 740.25 says nothing aidr has read,
 * so INT-33 names the reading.
 */
function licenseUnder744(x: ExceptionInput): Cond {
  if (x.via744 === false) return cond('license-not-only-744-23', true, C.a, 'The license requirement is not only that of 744.23(a)(3)(i)(B).');
  const ok = x.ctx.choose('INT-33', (r) => r === 'available');
  const cite = `${C.a}; 15 CFR 744.23(a)(3)(i)(B); 15 CFR 740.2(a)(9)(ii)`;
  // Unknown whether the license would come only from 744.23 (a headquarters not given): HBM covers
  // it either way only under the reading that lets HBM overcome such a license.
  if (x.via744 === undefined) return cond('license-not-only-744-23', ok ? true : undefined, cite, () => `Whether a license would arise only from 744.23(a)(3)(i)(B) turns on a headquarters not given; if it does, HBM ${ok ? 'still covers it' : 'does not cover it'} (INT-33: ${x.ctx.reading('INT-33')}).`);
  return cond('license-not-only-744-23', ok, cite, () => `The license is required only by 744.23(a)(3)(i)(B) (INT-33: ${x.ctx.reading('INT-33')}).`);
}

function obligations(x: ExceptionInput): Obligation[] {
  const site = x.f.consignee;
  const trusted = site.hq === undefined ? undefined : usA5OrA6(site.hq);
  const parentD5 = site.uph === undefined ? undefined : inMacauOrD5(site.uph);
  const confirm: Obligation = { what: 'Obtain the packaging site\'s written confirmation that the items were packaged and sent to the designer of the co-packaged commodity; the finished product must not exceed the 3A090 parameters unless authorized.', when: 'after packaging', to: 'from the packaging site', citation: C.c2 };
  const reconcile: Obligation = { what: 'Have the finished co-packaged product returned to you, reconcile the unit counts against the 3A090.c items shipped, and make sure the finished product does not exceed 3A090.a or .b.', when: 'when the finished product returns', to: 'your records', citation: C.c2 };
  const siteKnown = trusted !== undefined && parentD5 !== undefined;
  const ob: Obligation[] = siteKnown
    ? [trusted && !parentD5 ? confirm : reconcile]
    : [{ ...confirm, what: `If the packaging site is headquartered in the United States, A:5 or A:6 without a Macau/D:5 ultimate parent (packaging site ${describeHq(site)}): ${confirm.what} Otherwise: ${reconcile.what}` }];
  ob.push(
    { what: `Treat a unit-count discrepancy above ${HBM.discrepancyPercent} % as a red flag; if it is not resolved, report it to BIS.`, when: `within ${HBM.reportDays} days`, deadline: `${HBM.reportDays} days`, to: HBM.address, citation: C.e },
    verifyPart744(),
    records('15 CFR 740.25; part 762', `each HBM export, reexport or transfer to ${describe(x.f.to)}`),
  );
  return ob;
}

