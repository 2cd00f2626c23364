/**
 * License requirements of 15 CFR 742.6(a) as revised by the rule:
 * - (a)(6)(iii)(A): 3A090.a, 4A090.a and their .a-level .z counterparts, to or within any destination.
 * - (a)(6)(iii)(B): the .b counterparts, to or within D:1, D:4 or D:5 unless also in A:5 or A:6.
 * - (a)(6)(i)(B): 3A090.c (HBM) to or within Macau or D:5 (pre-existing; shown for completeness).
 * - (a)(13): 4E091 model weights to all destinations, except deemed exports and reexports to
 *   'permanent regular employees' (734.20(d)(2)) of an entity headquartered in, or with an ultimate
 *   parent headquartered in, a Supp. 5(a) destination (INT-15).
 */
import type { Step } from '../../contract/determination.js';
import type { Ctx } from '../../engine/context.js';
import type { TxFacts } from '../../engine/facts.js';
import { allOf, known, negate, NONE, type Finding, type Missing } from '../../engine/logic.js';
import { advancedClass, listCitation } from '../eccn-lists.js';
import { describe, describeHq, hqOrParentIn, hqOrParentOutside, inSupp5a } from '../headquarters.js';
import { describePlaces, reachesD145NotA56, reachesMacauOrD5 } from '../../engine/places.js';

export interface Requirement extends Finding { steps: Step[]; citations: string[] }

const none = (steps: Step[]): Requirement => ({ value: false, missing: NONE as Missing[], steps, citations: [] });

export function licenseRequirement742(f: TxFacts, eccn: string | null, ctx: Ctx): Requirement {
  const kind = advancedClass(eccn);
  const to = f.to!;
  if (kind === 'a') {
    const c = listCitation('worldwideLicense');
    return { value: true, missing: NONE as Missing[], steps: !ctx.explainOn ? [] : [{ rule: 'Worldwide license requirement', citation: c, result: 'license required', detail: `${eccn} to or within any destination, here ${describe(to)}.` }], citations: [c] };
  }
  if (kind === 'b') {
    const c = listCitation('countryGroupLicense');
    const hit = reachesD145NotA56(f, ctx);
    return {
      value: hit,
      missing: NONE as Missing[],
      steps: !ctx.explainOn ? [] : [{ rule: 'D:1/D:4/D:5 license requirement', citation: c, result: hit ? 'license required' : 'no license under this paragraph', detail: `${describePlaces(f)}: ${hit ? 'reaches' : 'does not reach'} D:1, D:4 or D:5 outside A:5/A:6 (destination groups: ${[...to.groups].join(', ') || 'none'}).` }],
      citations: hit ? [c] : [],
    };
  }
  if (kind === 'hbm') {
    const c = listCitation('hbmD5License');
    const hit = reachesMacauOrD5(f, ctx);
    return { value: hit, missing: NONE as Missing[], steps: !ctx.explainOn ? [] : [{ rule: 'HBM to Macau or D:5', citation: c, result: hit ? 'license required' : 'no license under this paragraph', detail: `${describe(to)}.` }], citations: hit ? [c] : [] };
  }
  if (kind === 'weights') return weightsRequirement(f, ctx);
  return none([{ rule: 'Advanced computing and model-weight license requirements', citation: '15 CFR 742.6(a)(6)(iii)(A), (a)(6)(iii)(B), (a)(13)', result: 'no license under this rule', detail: 'The item is not within 3A090, 4A090, their .z counterparts or 4E091, so none of these license requirements reaches it.' }]);
}

function weightsRequirement(f: TxFacts, ctx: Ctx): Requirement {
  const c = listCitation('modelWeights');
  const deemed = f.activity === 'deemed_export' || f.activity === 'deemed_reexport';
  if (!deemed) {
    return { value: true, missing: NONE as Missing[], steps: !ctx.explainOn ? [] : [{ rule: 'Model weights license requirement', citation: c, result: 'license required', detail: `4E091 to all destinations, here ${describe(f.to)}.` }], citations: [c] };
  }
  const employer = f.consignee;
  const employee: Finding = f.facts.permanentRegularEmployee === undefined
    ? { value: undefined, missing: [{ path: 'facts.permanentRegularEmployee', why: 'deemed exports to permanent regular employees (734.20(d)(2)) of Supp. 5(a)-headquartered entities need no license (742.6(a)(13))' }] }
    : known(f.facts.permanentRegularEmployee);
  const employerTest = (reading: string): Finding =>
    reading === 'either' ? hqOrParentIn(employer, inSupp5a, 'a Supp. 5(a) destination') : negate(hqOrParentOutside(employer, inSupp5a, 'Supp. 5(a) destinations'));
  const carveOut = ctx.choose('INT-15', (r) => allOf(employee, employerTest(r)), (a, b) => a.value === b.value);
  const required = negate(carveOut);
  return {
    value: required.value,
    missing: required.missing,
    steps: !ctx.explainOn ? [] : [{
      rule: 'Deemed export carve-out',
      citation: c,
      result: required.value === undefined ? 'unknown' : required.value ? 'license required' : 'no license (carve-out)',
      detail: `Release to a ${describe(f.to)} person; permanent regular employee: ${f.facts.permanentRegularEmployee ?? 'unknown'}; employer ${describeHq(employer)} (INT-15: ${ctx.reading('INT-15')}).`,
    }],
    citations: [c],
  };
}
