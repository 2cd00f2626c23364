/**
 * 91 FR 43034 (FR Doc 2026-14132), from 2026-07-10, for advanced computing items to the United Arab
 * Emirates. The UAE leaves D:3/D:4 for A:5 (data/country-groups.json), so it leaves the D-set; the
 * rule then (per the eCFR of 2026-07-23 [V]) names the UAE in the .b license scope of
 * 742.6(a)(6)(iii)(B), and gives the UAE Government and the entities approved in Supp. No. 8 to part
 * 740 "license-free access" to advanced computing items (reportedly STA via 740.2(a)(26) [S]; G42
 * and Core42 until 2027-04-06 [S]). Other UAE parties still need a license [S]; for .a items as BIS
 * enforces the EAR that is INT-46 (A-2). An entity headquartered (or whose ultimate parent is) in
 * Macau or D:5 keeps its license requirement even if listed [I/U].
 */
import type { Ctx } from '../../engine/context.js';
import type { TxFacts } from '../../engine/facts.js';
import { partiesOf } from '../../engine/facts.js';
import { reaches } from '../../engine/places.js';
import type { CountryFacts } from '../../data/country-groups.js';
import { anyOf, NONE, type Missing, type Tri } from '../../engine/logic.js';
import { SUPP8, supp8Covers, supp8Entity } from '../../data/supp8.js';
import { overlay } from '../../data/regimes.js';
import { listCitation } from '../eccn-lists.js';
import { hqOrParentIn, inMacauOrD5 } from '../headquarters.js';
import { overlayApplied, overlayOn } from '../provision.js';
import type { Requirement } from './license-requirement.js';

const ID = '91-fr-43034';
const UAE = 'AE';

const isUae = (c: CountryFacts) => c.code === UAE;

/**
 * Items that reach the UAE on a date 91 FR 43034 governs, in this regime: sent there, or (INT-25)
 * to a consignee or end user located there through another destination, as every destination test
 * of the rule reads "to or within" (red team, 2026-12-06: an end user in the UAE reached through
 * Germany was answered no license).
 */
export function uaeRuleOn(f: TxFacts, ctx: Ctx): boolean {
  return f.places.some(isUae) && overlayOn(ID, ctx) && reaches(f, ctx, isUae);
}

export function uaeOverlay(f: TxFacts, eccn: string | null, kind: 'a' | 'b', base: Requirement, ctx: Ctx): Requirement {
  if (!uaeRuleOn(f, ctx)) return base;
  overlayApplied(ID, ctx);
  const o = overlay(ID);
  // Not listed: .b is named in (B); .a needs a license as written (worldwide) and, as enforced, per INT-46.
  const notListed: Tri = kind === 'b' || base.value === true ? true
    : ctx.regime === 'codified' ? base.value
    : ctx.choose('INT-46', (r) => r === 'license');
  const hq = anyOf(...partiesOf(f).map((p) => hqOrParentIn(p, inMacauOrD5, 'Macau or Country Group D:5')));
  const entityId = f.facts.supp8Entity;
  const entity = entityId === undefined || entityId === 'none' ? undefined : supp8Entity(entityId);
  const sunset = entity?.until !== undefined && ctx.asOf >= entity.until;
  const free: Tri = entityId === undefined ? undefined : entity !== undefined && supp8Covers(eccn) && !sunset;
  // Listed and free: only a Macau/D:5 headquarters keeps the requirement (U-9).
  const ifFree = hq.value;
  let value: Tri;
  if (free === true) value = ifFree;
  else if (free === false) value = notListed;
  else value = ifFree === notListed ? notListed : undefined;
  const missing: Missing[] = value !== undefined ? (NONE as Missing[]) : [
    ...(free === undefined ? [{ path: 'facts.supp8Entity', why: 'UAE entities listed in Supp. No. 8 to part 740 have license-free access to advanced computing items from 2026-07-10 (91 FR 43034)' }] : []),
    ...(hq.value === undefined ? hq.missing : []),
  ];
  const c = `${o.citation}`;
  const detail = () => {
    const who = entityId === undefined ? 'whether the UAE party is listed in Supp. No. 8 is unknown' : entity ? `${entity.name} is listed in Supp. No. 8${entity.until ? `, its status lapsing on ${entity.until} (read as no longer in force that day [S])` : ''} [${entity.label}]${sunset ? ', a listing that has lapsed' : ''}${supp8Covers(eccn) ? '' : `, which does not cover ${eccn}`}` : 'the UAE party is not listed in Supp. No. 8';
    const rest = kind === 'b' ? 'the .b license scope names the UAE' : ctx.regime === 'codified' ? '742.6(a)(6)(iii)(A) requires a license worldwide' : `other UAE parties still need a license for .a items (INT-46: ${ctx.reading('INT-46')})`;
    return `The UAE is in A:5 from ${o.from}; ${who}; ${rest}.${free === true && hq.value !== false ? ' A Macau/D:5 headquarters keeps the license requirement (inference).' : ''}`;
  };
  const step = { rule: 'UAE (91 FR 43034)', citation: c, result: value === undefined ? 'unknown' : value ? 'license required' : 'license-free access (Supp. No. 8)', detail: ctx.explainOn ? detail() : undefined };
  return {
    value,
    missing,
    steps: !ctx.explainOn ? [] : [...base.steps, { rule: step.rule, citation: step.citation, result: step.result, detail: step.detail! }],
    citations: value === false ? [] : [...base.citations, ...imposing(kind, base), SUPP8.citation],
  };
}

/**
 * The paragraph that imposes the requirement where the base text (the D-set scope the UAE has left)
 * no longer does: for .b items, 742.6(a)(6)(iii)(B) as amended to name the UAE [V]; for .a items, the
 * worldwide 742.6(a)(6)(iii)(A), on which a license for other UAE parties rests as BIS enforces the
 * EAR (INT-46; A-2). Not repeated when the base already cites it (red team, 2026-12-06).
 */
function imposing(kind: 'a' | 'b', base: Requirement): string[] {
  const c = listCitation(kind === 'a' ? 'worldwideLicense' : 'countryGroupLicense');
  return base.citations.includes(c) ? [] : [c];
}
