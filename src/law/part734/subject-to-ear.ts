/**
 * Jurisdiction: is the item subject to the EAR?
 * - 15 CFR 734.3(a)(1)-(2): items in the United States and U.S.-origin items wherever located.
 * - 15 CFR 734.3(b)(3), 734.7(a): published technology (published weights) is not subject.
 * - 15 CFR 734.9(h): advanced computing FDP rule: foreign-produced 3A090/4A090 (and .z) items that
 *   are the direct product of listed U.S. technology/software, or made by a plant that is. Destination
 *   scope by version: 2023-11-17 (88 FR 73458): the D-set, or worldwide when any party is
 *   headquartered (or its ultimate parent is) in Macau or D:5 (Note to (h)(2)); 2025-01-13 (90 FR
 *   4544): anywhere ((h)(2)(i)); as BIS enforces it from 2025-05-15, the 2023 scope (E7, inference).
 * - 15 CFR 734.9(l): AI model weights FDP rule: foreign-produced 4E091 weights made by a plant or
 *   'major component' (3A090/4A090/.z hardware) subject to the EAR, destined anywhere; Note 7
 *   extends it to fine-tuned or quantized derivatives.
 */
import type { Step } from '../../contract/determination.js';
import type { TxFacts } from '../../engine/facts.js';
import type { Finding, Missing } from '../../engine/logic.js';
import type { ItemClass } from '../part774/classify.js';
import { chip } from '../../data/chips.js';
import type { Ctx } from '../../engine/context.js';
import { partiesOf } from '../../engine/facts.js';
import { anyOf, NONE as NO_MISSING } from '../../engine/logic.js';
import { hqOrParentIn, inMacauOrD5 } from '../headquarters.js';
import { texts, versionOn } from '../provision.js';

type Scope = (f: TxFacts) => Finding;
const worldwide: Scope = () => ({ value: true, missing: NO_MISSING as Missing[] });
const dSetOrHeadquarters: Scope = (f) => anyOf({ value: f.to!.d145NotA56, missing: NO_MISSING as Missing[] }, ...partiesOf(f).map((p) => hqOrParentIn(p, inMacauOrD5, 'Macau or Country Group D:5')));
const fdpScope = texts<Scope>('734.9(h)', { '2023-11-17': dSetOrHeadquarters, '2025-01-13': worldwide });

/**
 * The FDP rule's destination scope on the date. A product-scope item outside it is not made subject
 * by (h), but (h) only adds items: it may still be U.S.-origin (734.3(a)(2)) or hold controlled
 * U.S.-origin content above de minimis (734.3(a)(3)-(4)), which the facts decide (`outside`).
 */
function withinFdpDestination(f: TxFacts, ctx: Ctx | undefined, subject: Jurisdiction, h: HardwareOrigin): Jurisdiction {
  const scope = ctx ? fdpScope(ctx) : worldwide;
  const d = (scope ?? worldwide)(f);
  if (d.value === true) return scope === dSetOrHeadquarters ? { ...subject, step: { ...subject.step, detail: (subject.step.detail ?? '').replace(/destined anywhere[^.]*/, 'destined to the D-set or for a Macau/D:5-headquartered party (734.9(h)(2) of 2023-11-17)') } } : subject;
  if (d.value === false) return outsideFdpRule(h, 'Within the product scope of 734.9(h)(1), but destined outside D:1/D:4/D:5 (or to A:5/A:6) and for no party headquartered (or whose ultimate parent is) in Macau or D:5: outside the destination scope of 734.9(h)(2) of 2023-11-17.');
  // Scope unknown: subject if (h) reaches it, or if the item is subject without (h); else the facts of both are asked.
  const without = outsideFdpRule(h, 'Whether 734.9(h)(2) reaches the destination is unknown.');
  if (without.value === true) return without;
  return result(undefined, [...d.missing, ...without.missing], 'Advanced computing FDP rule (destination scope)', CITE_734.fdpH, 'Outside the D-set: subject under 734.9(h) only if a party is headquartered (or its ultimate parent is) in Macau or D:5, which is unknown; without (h), U.S. origin or U.S. content above de minimis would make it subject.');
}

/** What the transaction says of a hardware item's origin (734.3(a)(2)-(4)). */
interface HardwareOrigin { producedOutsideUS?: boolean; foreignDirectProduct?: boolean; usContentAboveDeMinimis?: boolean }

/**
 * An item the FDP rule does not reach: subject if U.S.-origin or above de minimis. Its origin is
 * asked only where it decides: U.S. content above de minimis makes a foreign-produced item subject
 * too, so then the origin does not matter.
 */
function outsideFdpRule(h: HardwareOrigin, why: string): Jurisdiction {
  if (h.producedOutsideUS === true || h.usContentAboveDeMinimis === true) return deMinimis(h.usContentAboveDeMinimis, 'Advanced computing FDP rule', why);
  const missing: Missing[] = [{ path: 'item.producedOutsideUS', why: 'U.S.-origin items abroad are subject to the EAR (734.3(a)(2)); an item outside the destination scope of 734.9(h) is not made subject by that rule' }];
  if (h.usContentAboveDeMinimis === undefined) missing.push({ path: 'item.usContentAboveDeMinimis', why: DE_MINIMIS_WHY });
  return result(undefined, missing, 'Origin of the item', `${CITE_734.usOrigin}; ${CITE_734.fdpH}; ${CITE_734.deMinimis}`, `${why} It is still subject if it is U.S.-origin (734.3(a)(2)) or its controlled U.S.-origin content exceeds de minimis (734.3(a)(3)-(4)); where it was produced is unknown.`);
}

const DE_MINIMIS_WHY = 'a foreign-produced item outside the foreign direct product rules is subject to the EAR when its controlled U.S.-origin content exceeds de minimis (734.3(a)(3)-(4), 734.4); aidr does not compute de minimis';

export const CITE_734 = {
  deMinimis: '15 CFR 734.3(a)(3)-(4); 15 CFR 734.4',
  inUs: '15 CFR 734.3(a)(1)',
  usOrigin: '15 CFR 734.3(a)(2)',
  published: '15 CFR 734.3(b)(3); 15 CFR 734.7(a)',
  fdpH: '15 CFR 734.9(h)',
  fdpL: '15 CFR 734.9(l)',
};

export interface Jurisdiction extends Finding { step: Step }

const result = (value: boolean | undefined, missing: Missing[], rule: string, citation: string, detail: string): Jurisdiction => ({
  value,
  missing,
  step: { rule, citation, result: value === undefined ? 'unknown' : value ? 'subject to the EAR' : 'not subject to the EAR', detail },
});

/**
 * A foreign-produced item outside the foreign direct product rules is still subject to the EAR
 * when its controlled U.S.-origin content exceeds de minimis (734.3(a)(3)-(4), 734.4). aidr does
 * not compute de minimis: the user's fact decides, and without it the answer is unknown, never "no".
 */
function deMinimis(above: boolean | undefined, rule: string, why: string): Jurisdiction {
  const citation = `${rule === 'Advanced computing FDP rule' ? CITE_734.fdpH : CITE_734.fdpL}; ${CITE_734.deMinimis}`;
  if (above === true) return result(true, [], 'De minimis U.S. content', citation, `${why} Its controlled U.S.-origin content is stated to exceed de minimis: subject to the EAR (734.3(a)(3)-(4)).`);
  if (above === false) return result(false, [], rule, citation, `${why} Its controlled U.S.-origin content is stated not to exceed de minimis (734.4).`);
  return result(undefined, [{ path: 'item.usContentAboveDeMinimis', why: DE_MINIMIS_WHY }], rule, citation, `${why} Whether its controlled U.S.-origin content exceeds de minimis (734.4) is unknown, and aidr does not compute it.`);
}

/** Activities that start in the United States (an export or a release in the US). */
function startsInUs(f: TxFacts): boolean {
  return f.from?.us === true;
}

export function subjectToEar(f: TxFacts, cls: ItemClass, eccn: string | null, ctx?: Ctx): Jurisdiction {
  const item = f.item;
  if (cls.kind === 'service') {
    return result(true, [], 'IaaS training service', CITE_734.inUs, 'Providing computing services moves no item; the service is assessed for red flags and the model it produces is classified for later exports.');
  }
  if (cls.kind === 'weights') {
    const w = item as { published?: boolean; producedOutsideUS?: boolean; trainedOnControlledComputing?: boolean; usContentAboveDeMinimis?: boolean };
    // An item the user classified as 4E091 is unpublished by that classification (4E091 Note 1:
    // published weights are not 4E091), so publication is not asked.
    if (item.type === 'eccn' && w.published === undefined) return subjectToEar({ ...f, item: { ...item, published: false } }, cls, eccn);
    if (w.published === true) return result(false, [], 'Published weights', CITE_734.published, 'Published technology is not subject to the EAR.');
    if (w.published === undefined) {
      // Subject only if unpublished: decide the rest as if unpublished, then make "subject" unknown.
      const ifUnpublished = subjectToEar({ ...f, item: { ...item, published: false } as typeof item }, cls, eccn, ctx);
      if (ifUnpublished.value === false) return ifUnpublished;
      return result(undefined, [{ path: 'item.published', why: 'published weights (15 CFR 734.7(a)) are not subject to the EAR' }, ...ifUnpublished.missing], ifUnpublished.step.rule, `${CITE_734.published}; ${ifUnpublished.step.citation}`, `${ifUnpublished.step.detail} Subject to the EAR only if the weights are unpublished, which is unknown.`);
    }
    if (startsInUs(f)) return result(true, [], 'Weights in the United States', CITE_734.inUs, 'The weights are released or shipped from the United States.');
    if (w.producedOutsideUS === false) return result(true, [], 'U.S.-origin weights', CITE_734.usOrigin, 'U.S.-origin technology is subject to the EAR wherever located.');
    if (eccn !== '4E091') {
      if (w.producedOutsideUS === true) return deMinimis(w.usContentAboveDeMinimis, 'Foreign-produced weights outside 4E091', '734.9(l) reaches only foreign-produced weights specified in 4E091.');
      return result(undefined, [{ path: 'item.producedOutsideUS', why: 'decides whether weights located abroad are U.S.-origin (subject) or foreign-produced' }], 'Origin of the weights', CITE_734.usOrigin, 'Where the weights were produced is unknown.');
    }
    // As BIS enforces the EAR, 734.9(l) is among the rule's provisions not enforced (E8, INT-49):
    // foreign-produced weights are then subject only by U.S. content above de minimis (red team, 2026-12-06).
    if (ctx !== undefined && !versionOn('734.9(l)', ctx)) {
      if (w.producedOutsideUS === true) return deMinimis(w.usContentAboveDeMinimis, 'AI model weights FDP rule', '734.9(l) is codified but not enforced as part of 90 FR 4544 (E8, INT-49): foreign-produced weights are subject only as U.S. content above de minimis makes them.');
      return result(undefined, [{ path: 'item.producedOutsideUS', why: 'decides whether weights located abroad are U.S.-origin (subject) or foreign-produced' }], 'Origin of the weights', CITE_734.usOrigin, 'Where the weights were produced is unknown (734.9(l), which would reach foreign-produced weights, is not enforced: INT-49).');
    }
    const fdp = w.trainedOnControlledComputing;
    if (fdp === true) return result(true, [], 'AI model weights FDP rule', CITE_734.fdpL, 'Trained on 3A090/4A090/.z hardware subject to the EAR (a plant or major component under 734.9(l)(1)); destined anywhere (l)(2).');
    if (w.producedOutsideUS === true) {
      if (fdp === false) return deMinimis(w.usContentAboveDeMinimis, 'AI model weights FDP rule', 'Foreign-produced and not trained on hardware subject to the EAR and specified in the listed ECCNs: outside 734.9(l)(1).');
      return result(undefined, [{ path: 'item.trainedOnControlledComputing', why: 'foreign-produced 4E091 weights are subject to the EAR when trained on 3A090/4A090/.z hardware subject to the EAR (734.9(l))' }], 'AI model weights FDP rule', CITE_734.fdpL, 'Whether the training hardware was subject to the EAR is unknown.');
    }
    return result(undefined, [
      { path: 'item.producedOutsideUS', why: 'U.S.-origin weights are subject to the EAR wherever located' },
      { path: 'item.trainedOnControlledComputing', why: 'foreign-produced 4E091 weights are subject when trained on hardware subject to the EAR (734.9(l))' },
    ], 'Origin of the weights', CITE_734.fdpL, 'Neither the origin of the weights nor their training hardware is known.');
  }
  // Hardware.
  const h = item as HardwareOrigin;
  if (startsInUs(f)) return result(true, [], 'Item in the United States', CITE_734.inUs, 'The item is shipped from the United States.');
  if (h.producedOutsideUS === false) return result(true, [], 'U.S.-origin item', CITE_734.usOrigin, 'U.S.-origin items are subject to the EAR wherever located.');
  const inScope = eccn !== null && /^(3A090|4A090|3A001\.z|4A003\.z|4A004\.z|4A005\.z|5A002\.z|5A004\.z|5A992\.z)/.test(eccn);
  const model = f.item.type === 'ic' ? f.item.model : undefined;
  if (inScope && h.foreignDirectProduct === undefined && model !== undefined && chip(model).designOrigin === 'US') {
    return withinFdpDestination(f, ctx, result(true, [], 'Advanced computing FDP rule', CITE_734.fdpH, `Designed with U.S.-origin technology (${chip(model).designOriginSource}): wherever produced, the part is U.S.-origin or the direct product of U.S.-origin technology under 734.9(h)(1)(i), destined anywhere ((h)(2)(i)).`), h);
  }
  if (h.foreignDirectProduct === true && inScope) return withinFdpDestination(f, ctx, result(true, [], 'Advanced computing FDP rule', CITE_734.fdpH, 'A foreign-produced 3A090/4A090/.z item that is the direct product of listed U.S. technology or software, or of a plant that is, destined anywhere ((h)(1), (h)(2)(i)).'), h);
  if (h.producedOutsideUS === true && (h.foreignDirectProduct === false || !inScope)) {
    return deMinimis(h.usContentAboveDeMinimis, 'Advanced computing FDP rule', 'Foreign-produced and outside the product scope of 734.9(h)(1).');
  }
  const missing: Missing[] = [];
  if (h.producedOutsideUS === undefined) missing.push({ path: 'item.producedOutsideUS', why: 'U.S.-origin items abroad are subject to the EAR (734.3(a)(2))' });
  if (inScope && h.foreignDirectProduct === undefined) missing.push({ path: 'item.foreignDirectProduct', why: 'a foreign-produced advanced IC or computer is subject when it meets the product scope of 734.9(h)(1)' });
  return result(undefined, missing, 'Origin of the item', CITE_734.fdpH, 'The item is abroad and its origin or its production with U.S. technology is unknown.');
}

