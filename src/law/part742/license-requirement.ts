/**
 * License requirements of 15 CFR 742.6(a), by text version (data/regimes/provisions.json):
 * - (a)(6)(iii) of 2023-11-17 (88 FR 73458) and 2024-12-02 (89 FR 96790): 3A090, 4A090 and the .z
 *   items to or within D:1, D:4 or D:5 unless also in A:5 or A:6 (the D-set); not for deemed
 *   exports ((a)(6)(iv)). The headquarters test then sat in 744.23(a)(3).
 * - (a)(6)(iii) as BIS enforces it from 2025-05-15 (guidance of 2026-05-31): the D-set scope, plus
 *   .a items anywhere outside the United States for entities headquartered (or whose ultimate
 *   parent is) in Macau or D:5.
 * - 91 FR 43034 (UAE, from 2026-07-10): uae-91-fr-43034.ts adjusts the answer for the UAE.
 * As revised by 90 FR 4544 (from 2025-01-13):
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
import { anyOf } from '../../engine/logic.js';
import { partiesOf } from '../../engine/facts.js';
import { describe, describeHq, hqOrParentIn, hqOrParentOutside, inMacauOrD5, inSupp5a } from '../headquarters.js';
import { describePlaces, reachesD145NotA56, reachesMacauOrD5, whichIs } from '../../engine/places.js';
import { texts, versionCitation, versionOn } from '../provision.js';
import { provisionText } from '../../data/regimes.js';
import { uaeOverlay } from './uae-91-fr-43034.js';

export interface Requirement extends Finding { steps: Step[]; citations: string[] }

const none = (steps: Step[]): Requirement => ({ value: false, missing: NONE as Missing[], steps, citations: [] });

type Text = (f: TxFacts, eccn: string | null, kind: 'a' | 'b', ctx: Ctx) => Requirement;

const CITE_PRE_RULE = '15 CFR 742.6(a)(6)(iii)';

/** The 2023-11-17 / 2024-12-02 text: the D-set, for .a and .b items alike; deemed exports excluded. */
const dSetText: Text = (f, eccn, _kind, ctx) => {
  const to = f.to!;
  const c = cite(ctx, CITE_PRE_RULE);
  if (f.activity === 'deemed_export' || f.activity === 'deemed_reexport') {
    return none(!ctx.explainOn ? [] : [{ rule: 'D-set license requirement', citation: c, result: 'no license under this paragraph', detail: 'Deemed exports and reexports are outside 742.6(a)(6)(iii) ((a)(6)(iv)).' }]);
  }
  const hit = reachesD145NotA56(f, ctx);
  return {
    value: hit,
    missing: NONE as Missing[],
    steps: !ctx.explainOn ? [] : [{ rule: 'D-set license requirement', citation: c, result: hit ? 'license required' : 'no license under this paragraph', detail: `${eccn} to ${describePlaces(f)}, ${whichIs(f, hit)} in D:1, D:4 or D:5 outside A:5/A:6 (destination groups: ${[...to.groups].join(', ') || 'none'}).` }],
    citations: hit ? [CITE_PRE_RULE] : [],
  };
};

/** As BIS enforces (a)(6)(iii) from 2025-05-15: the D-set, and .a items worldwide for Macau/D:5-headquartered entities. */
const asEnforcedText: Text = (f, eccn, kind, ctx) => {
  const to = f.to!;
  const c = listCitation(kind === 'a' ? 'worldwideLicense' : 'countryGroupLicense');
  const cited = cite(ctx, c);
  if (reachesD145NotA56(f, ctx)) {
    return { value: true, missing: NONE as Missing[], steps: !ctx.explainOn ? [] : [{ rule: 'D-set license requirement (as enforced)', citation: cited, result: 'license required', detail: `${eccn} to ${describePlaces(f)}, in D:1, D:4 or D:5 outside A:5/A:6: the pre-rule scope BIS enforces (the worldwide expansion is not enforced).` }], citations: [c] };
  }
  if (kind === 'b' || to.us) {
    return none(!ctx.explainOn ? [] : [{ rule: 'D-set license requirement (as enforced)', citation: cited, result: 'no license under this paragraph', detail: `${describe(to)} is outside D:1, D:4 and D:5 (or in A:5/A:6); BIS does not enforce the destination-based expansion of 90 FR 4544.` }]);
  }
  const hq = anyOf(...partiesOf(f).map((p) => hqOrParentIn(p, inMacauOrD5, 'Macau or Country Group D:5')));
  return {
    value: hq.value,
    missing: hq.value === undefined ? hq.missing : (NONE as Missing[]),
    steps: !ctx.explainOn ? [] : [{
      rule: 'Headquarters-based license requirement (as enforced)',
      citation: cited,
      result: hq.value === undefined ? 'unknown' : hq.value ? 'license required' : 'no license',
      detail: `${eccn} to ${describe(to)}, outside the D-set: BIS enforces the license requirement for .a items for entities headquartered (or whose ultimate parent is) in Macau or D:5 wherever located, dating it from 2023-11-17 (guidance of 2026-05-31); such a party: ${hq.value ?? 'unknown'}.`,
    }],
    citations: hq.value === false ? [] : [c],
  };
};

/** 90 FR 4544's text: .a worldwide, .b to the D-set. */
const diffusionText: Text = (f, eccn, kind, ctx) => (kind === 'a' ? worldwideA(f, eccn, ctx) : groupB(f, ctx));

const destinationText = texts<Text>('742.6(a)(6)(iii)', {
  '2023-11-17': dSetText,
  '2024-12-02': dSetText,
  '2025-01-13': diffusionText,
  '2025-05-15': asEnforcedText,
});

/** With the full output, the citation names the text version applied. */
function cite(ctx: Ctx, c: string): string {
  if (!ctx.explainOn) return c;
  const v = ctx.appliedVersion('742.6(a)(6)(iii)');
  return v ? `${c}; ${versionCitation('742.6(a)(6)(iii)', v)}` : c;
}

export function licenseRequirement742(f: TxFacts, eccn: string | null, ctx: Ctx): Requirement {
  const kind = advancedClass(eccn);
  if (kind === 'a' || kind === 'b') {
    const text = destinationText(ctx);
    if (!text) return none([]);
    return uaeOverlay(f, eccn, kind, text(f, eccn, kind, ctx), ctx);
  }
  // 3A090.c (742.6(a)(6)(i)(B), R-DEST-3) exists from 2024-12-02 (89 FR 96790): classification gives it no earlier, and
  // the text has not changed since, so it has one version and reads the same in both regimes (E6).
  if (kind === 'hbm') {
    const c = listCitation('hbmD5License');
    const hit = reachesMacauOrD5(f, ctx);
    return { value: hit, missing: NONE as Missing[], steps: !ctx.explainOn ? [] : [{ rule: 'HBM to Macau or D:5', citation: c, result: hit ? 'license required' : 'no license under this paragraph', detail: `${describePlaces(f)}.` }], citations: hit ? [c] : [] };
  }
  if (kind === 'weights') {
    if (!versionOn('742.6(a)(13)', ctx)) return weightsNotApplied(ctx);
    return weightsRequirement(f, ctx);
  }
  return none([{ rule: 'Advanced computing and model-weight license requirements', citation: '15 CFR 742.6(a)(6)(iii)(A), (a)(6)(iii)(B), (a)(13)', result: 'no license under this rule', detail: 'The item is not within 3A090, 4A090, their .z counterparts or 4E091, so none of these license requirements reaches it.' }]);
}

const WEIGHTS_FROM = provisionText('742.6(a)(13)').versions[0]!.from;

/** Before 2025-01-13 4E091 did not exist; as enforced, BIS's rule-level non-enforcement covers it (INT-49). */
function weightsNotApplied(ctx: Ctx): Requirement {
  const before = ctx.asOf < WEIGHTS_FROM || ctx.regime === 'codified';
  const detail = before
    ? '742.6(a)(13) and ECCN 4E091 were added by 90 FR 4544 (effective 2025-01-13); before that no ECCN specific to model weights existed (weights were typically EAR99, an inference). Part 744 end-use checks still apply.'
    : 'Codified but not enforced: BIS announced on 2025-05-13 that it would not enforce 90 FR 4544 (GAO B-337935: the policy covers all parties); BIS has said nothing specific to 4E091 (INT-49). High risk: the requirement stays codified.';
  if (!before) ctx.warn('4E091 model weights: the codified license requirement of 742.6(a)(13) is not enforced as part of the rule (BIS silent on 4E091; INT-49); it remains in the CFR.');
  return none(!ctx.explainOn ? [] : [{ rule: 'Model weights license requirement', citation: listCitation('modelWeights'), result: before ? 'not in force' : 'not enforced', detail }]);
}

function groupB(f: TxFacts, ctx: Ctx): Requirement {
  const c = listCitation('countryGroupLicense');
  const to = f.to!;
  const hit = reachesD145NotA56(f, ctx);
  return {
    value: hit,
    missing: NONE as Missing[],
    steps: !ctx.explainOn ? [] : [{ rule: 'D:1/D:4/D:5 license requirement', citation: c, result: hit ? 'license required' : 'no license under this paragraph', detail: `${describePlaces(f)}, ${whichIs(f, hit)} in D:1, D:4 or D:5 outside A:5/A:6 (destination groups: ${[...to.groups].join(', ') || 'none'}).` }],
    citations: hit ? [c] : [],
  };
}

function worldwideA(f: TxFacts, eccn: string | null, ctx: Ctx): Requirement {
  const to = f.to!;
  {
    const c = listCitation('worldwideLicense');
    return { value: true, missing: NONE as Missing[], steps: !ctx.explainOn ? [] : [{ rule: 'Worldwide license requirement', citation: c, result: 'license required', detail: `${eccn} to or within any destination, here ${describe(to)}.` }], citations: [c] };
  }
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
