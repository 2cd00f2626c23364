/**
 * 15 CFR 744.23(a)(3): the end-user control for entities headquartered in, or whose ultimate parent
 * is headquartered in, Macau or D:5 (e.g. a PRC-headquartered cloud provider abroad), by version:
 * - 2023-11-17 (88 FR 73458; same text in V2): any 3A090, 4A090 or .z item destined outside the
 *   D-set (D:1/D:4/D:5 not also A:5/A:6) for such an entity.
 * - 2024-12-02 (89 FR 96790): (i)(A) the same items except 3A090.c; (i)(B) 3A090.c destined
 *   outside Macau/D:5 for such an entity.
 * - 2025-01-13 (90 FR 4544): (i)(A) narrowed to .b-level items (the .a part moved into
 *   742.6(a)(6)(iii)(A)); (i)(B) unchanged.
 */
import type { TxFacts } from '../../engine/facts.js';
import type { Ctx } from '../../engine/context.js';
import { anyOf, NONE, type Missing } from '../../engine/logic.js';
import { advancedClass, covers, listCitation } from '../eccn-lists.js';
import { describe, hqOrParentIn, inMacauOrD5 } from '../headquarters.js';
import { partiesOf } from '../../engine/facts.js';
import type { Requirement } from '../part742/license-requirement.js';
import { texts, versionCitation } from '../provision.js';

/** Which paragraph of the version in force reaches the item here, if any. */
type Scope = (f: TxFacts, eccn: string | null) => string | undefined;

const CITE_V1 = '15 CFR 744.23(a)(3)(i)';
const outsideDSet = (f: TxFacts) => !f.to!.d145NotA56;
const isAc = (eccn: string | null) => { const k = advancedClass(eccn); return k === 'a' || k === 'b'; };

const v2023: Scope = (f, eccn) => (isAc(eccn) && outsideDSet(f) ? CITE_V1 : undefined);
const v2024: Scope = (f, eccn) =>
  isAc(eccn) && outsideDSet(f) ? listCitation('headquartersLicenseB')
    : covers('headquartersLicenseHbm', eccn) && !f.to!.macauOrD5 ? listCitation('headquartersLicenseHbm') : undefined;
const v2025: Scope = (f, eccn) =>
  covers('headquartersLicenseB', eccn) && outsideDSet(f) ? listCitation('headquartersLicenseB')
    : covers('headquartersLicenseHbm', eccn) && !f.to!.macauOrD5 ? listCitation('headquartersLicenseHbm') : undefined;

const scopeOn = texts<Scope>('744.23(a)(3)', { '2023-11-17': v2023, '2024-12-02': v2024, '2025-01-13': v2025 });

export function headquartersLicense744(f: TxFacts, eccn: string | null, ctx: Ctx): Requirement | undefined {
  const scope = scopeOn(ctx);
  const c = scope?.(f, eccn);
  if (c === undefined) return undefined;
  const to = f.to!;
  const hq = anyOf(...partiesOf(f).map((p) => hqOrParentIn(p, inMacauOrD5, 'Macau or Country Group D:5')));
  const v = ctx.explainOn ? ctx.versions.get('744.23(a)(3)') : undefined;
  return {
    value: hq.value,
    missing: hq.value === undefined ? hq.missing : (NONE as Missing[]),
    steps: !ctx.explainOn ? [] : [{
      rule: 'Headquarters-based license requirement',
      citation: v ? `${c}; ${versionCitation('744.23(a)(3)', v)}` : c,
      result: hq.value === undefined ? 'unknown' : hq.value ? 'license required' : 'not applicable',
      detail: `${eccn} to ${describe(to)} for an entity headquartered (or with an ultimate parent headquartered) in Macau or D:5: ${hq.value ?? 'unknown'}.`,
    }],
    citations: hq.value === false ? [] : [c],
  };
}

export const CITE_744_23_REVIEW = '15 CFR 744.23(d)';
