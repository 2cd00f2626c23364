/**
 * What every license exception evaluation shares: conditions (met / not met / unknown, each with
 * its citation), the exception's status derived from them, and the obligations it brings.
 * Also the restrictions of 15 CFR 740.2 that apply to all license exceptions.
 */
import type { Condition, ExceptionCode, ExceptionStatus, Obligation } from '../../contract/determination.js';
import type { Decimal } from '../../compute/exact.js';
import { RECORD_YEARS } from '../../data/parameters.js';
import type { Ctx } from '../../engine/context.js';
import { partiesOf, type TxFacts } from '../../engine/facts.js';
import { describePlaces, reachesD145NotA56, reachesMacauOrD5 } from '../../engine/places.js';
import { anyOf, metStatus, NONE, type Finding, type Missing, type Tri } from '../../engine/logic.js';
import type { ItemClass } from '../part774/classify.js';
import { covers, listCitation } from '../eccn-lists.js';
import { describe, hqOrParentIn, inMacauOrD5 } from '../headquarters.js';
import { part746Section } from '../part746/embargo.js';
import { texts } from '../provision.js';

/** A condition's explanation, built only when the output includes it (not in lean mode). */
export type Detail = string | (() => string);

export interface Cond extends Omit<Condition, 'detail'> {
  detail: Detail;
  missing: Missing[];
  /** The lean output of this condition, made on first use: a shared condition's is made once. */
  lean: Condition | undefined;
}

export function detailText(d: Detail): string {
  return typeof d === 'function' ? d() : d;
}

export interface ExceptionEval {
  code: ExceptionCode;
  status: ExceptionStatus;
  conditions: Cond[];
  obligations: Obligation[];
}

export interface ExceptionInput {
  f: TxFacts;
  eccn: string | null;
  cls: ItemClass;
  /** TPP of the whole shipment (per-unit TPP × quantity), when known. */
  aggregate: Decimal | undefined;
  ctx: Ctx;
  /**
   * The license arises only from 744.23(a)(3) (an entity headquartered in Macau or D:5): unknown
   * when whether it does turns on a fact not given (a headquarters).
   */
  via744: Tri;
}

export function cond(id: string, f: Finding | Tri, citation: string, detail: Detail): Cond {
  if (typeof f !== 'object' || f === null) return { id, status: metStatus(f), citation, detail, missing: NONE as Missing[], lean: undefined };
  return { id, status: metStatus(f.value), citation, detail, missing: f.value === undefined ? f.missing : (NONE as Missing[]), lean: undefined };
}

/** A condition as the lean output shows it (id, status, citation): outputs are read-only, so it is kept on the condition. */
export function leanCondition(k: Cond): Condition {
  return (k.lean ??= { id: k.id, status: k.status, citation: k.citation });
}

export function statusOf(conditions: readonly Cond[]): ExceptionStatus {
  let unknown = false;
  for (const c of conditions) {
    if (c.status === 'not_met') return 'not_eligible';
    if (c.status === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : 'eligible';
}

/**
 * An exception's conditions, evaluated in order. With the full output every condition is reported;
 * the lean output (bulk screening) stops at the first that is not met, which cannot change the
 * status. Write `k.add(a) && k.add(b) && …`: `add` returns false when the rest can be skipped.
 */
export class Conditions {
  readonly list: Cond[] = [];
  constructor(private readonly x: ExceptionInput) {}

  add(c: Cond): boolean {
    this.list.push(c);
    if (c.status !== 'not_met') return true;
    // An item the exception can never cover: its other conditions (a cap, a destination) say nothing.
    if (c.id === 'eligible-item') return false;
    // Not met: the rest is evaluated only to be shown (full output), not relied on.
    if (this.x.ctx.explainOn) this.x.ctx.displayOnly = true;
    return this.x.ctx.explainOn;
  }

  /** The status, and the obligations, which only matter when the exception can be used. */
  finish(code: ExceptionCode, obligations: () => Obligation[]): ExceptionEval {
    this.x.ctx.displayOnly = false;
    const status = statusOf(this.list);
    return { code, status, conditions: this.list, obligations: status === 'not_eligible' ? [] : obligations() };
  }
}

/*
 * Conditions that depend only on a few enumerable facts (the ECCN, the activity, the destination,
 * the part 744 flag) are immutable: each is built once and shared, in a map keyed by exactly what
 * it depends on (a look-up that allocates nothing on a hit). Each exception module makes its rules
 * once (`part746Rule('LPP')`, `itemRule('LPP', 'lpp')`, …) and asks them per transaction: one
 * look-up by the fact, none by the exception.
 */

/** Keep `value` for `key`: callers write `cache.get(key) ?? keep(cache, key, build())`, so a hit builds nothing. */
function keep<K, V>(cache: Map<K, V>, key: K, value: V): V {
  cache.set(key, value);
  return value;
}

/** Part 746 destinations: exception code → the exception's rule (destination code → condition). */
const part746Rules = new Map<ExceptionCode, (f: TxFacts) => Cond>();

/** Part 746 destinations admit only the exceptions their sections list; none of this rule's (see part746/embargo.ts). */
export function part746Rule(code: ExceptionCode): (f: TxFacts) => Cond {
  let rule = part746Rules.get(code);
  if (!rule) {
    const byCountry = new Map<string | undefined, Cond>();
    rule = (f) => byCountry.get(f.to?.code) ?? keep(byCountry, f.to?.code, part746Condition(f, code));
    part746Rules.set(code, rule);
  }
  return rule;
}

function part746Condition(f: TxFacts, code: ExceptionCode): Cond {
  const section = part746Section(f.to?.code);
  return cond('not-part-746-destination', section === undefined, section ?? '15 CFR part 746',
    section ? `${describe(f.to)} is under ${section}, which admits only the license exceptions it lists; ${code} is not among them (aidr does not model part 746: a license is needed).` : `${describe(f.to)} is not a part 746 embargo destination.`);
}

type ItemList = 'aia' | 'acm' | 'lpp' | 'nacAca' | 'hbm';
/** Eligible items: exception code → the exception's rule (ECCN → condition; each code reads one list). */
const itemRules = new Map<ExceptionCode, (eccn: string | null) => Cond>();

export function itemRule(code: ExceptionCode, list: ItemList): (eccn: string | null) => Cond {
  let rule = itemRules.get(code);
  if (!rule) {
    const byEccn = new Map<string | null, Cond>();
    rule = (eccn) => byEccn.get(eccn) ?? keep(byEccn, eccn, itemCondition(code, list, eccn));
    itemRules.set(code, rule);
  }
  return rule;
}

export function itemCovered(code: ExceptionCode, list: ItemList, eccn: string | null): Cond {
  return itemRule(code, list)(eccn);
}

function itemCondition(code: ExceptionCode, list: ItemList, eccn: string | null): Cond {
  const ok = covers(list, eccn);
  return cond('eligible-item', ok, listCitation(list), ok ? `${eccn} is an eligible item for ${code}.` : `${eccn ?? 'An item outside these ECCNs'} is not eligible for ${code}.`);
}

const ACTIVITY_NAMES: Record<TxFacts['activity'], string> = {
  export: 'an export',
  reexport: 'a reexport',
  transfer: 'a transfer (in-country)',
  deemed_export: 'a deemed export',
  deemed_reexport: 'a deemed reexport',
};

/**
 * An exception's activity condition: which activities it authorises, under which citation. Each
 * law module builds its rules once (one per text whose activities differ: 740.8(a) of 2023-11-17
 * covered transfers, from 2024-04-04 it does not) and asks them per transaction.
 */
export function activityRule(code: ExceptionCode, allowed: readonly string[], citation: string): (f: TxFacts) => Cond {
  const byActivity = new Map<TxFacts['activity'], Cond>();
  const build = (given: TxFacts['activity']): Cond => {
    const activity = given === 'deemed_export' ? 'export' : given === 'deemed_reexport' ? 'reexport' : given;
    const ok = allowed.includes(activity);
    const what = ACTIVITY_NAMES[given];
    return cond('activity', ok, citation, ok ? `${code} covers ${what}.` : `${code} does not authorize ${what} (only ${allowed.join(', ')}).`);
  };
  return (f) => byActivity.get(f.activity) ?? keep(byActivity, f.activity, build(f.activity));
}

/** The part 744 condition, no concern and concern, under each citation (LPP adds 740.29(e)). */
function part744Conditions(citation: string): readonly [Cond, Cond] {
  return [
    cond('no-part-744-concern', true, citation, 'No part 744 end-use or end-user prohibition is known (verify before shipping).'),
    cond('no-part-744-concern', false, citation, 'A part 744 end-use or end-user prohibition is known: no license exception may be used.'),
  ];
}
const PART_744 = part744Conditions('15 CFR 740.2(a)');

/** 15 CFR 740.2: no license exception for a transaction with a known part 744 prohibition. */
export function noPart744Concern(f: TxFacts): Cond {
  return PART_744[f.facts.part744Concern === true ? 1 : 0];
}

/** The same with the exception's own citation added (`15 CFR 740.2(a); <citation>`). */
export function part744Rule(citation: string): (f: TxFacts) => Cond {
  const conditions = part744Conditions(`15 CFR 740.2(a); ${citation}`);
  return (f) => conditions[f.facts.part744Concern === true ? 1 : 0];
}

/** Not to Macau or D:5: neither the destination nor a receiving party's stated location (INT-25). */
export function noDestinationMacauD5(x: ExceptionInput, citation: string): Cond {
  const hit = reachesMacauOrD5(x.f, x.ctx);
  return cond('destination-not-macau-d5', !hit, citation, () => `The items go to ${describePlaces(x.f)}: ${hit ? 'Macau or Country Group D:5 is among them' : 'not Macau or Country Group D:5'}.`);
}

/** "… when the ultimate consignee (or its ultimate parent) is headquartered in Macau or D:5". */
export function consigneeNotMacauD5(f: TxFacts, citation: string): Cond {
  const hq = hqOrParentIn(f.consignee, inMacauOrD5, 'Macau or Country Group D:5');
  return cond('consignee-not-macau-d5-headquartered', { value: hq.value === undefined ? undefined : !hq.value, missing: hq.missing }, citation,
    hq.value === undefined ? 'Whether the consignee or its ultimate parent is headquartered in Macau or D:5 is unknown.' : hq.value ? 'The consignee or its ultimate parent is headquartered in Macau or D:5.' : 'Neither the consignee nor its ultimate parent is headquartered in Macau or D:5.');
}

/**
 * "… when the ultimate consignee (or its ultimate parent) is headquartered in Macau or D:5"
 * (740.28(c), 740.29(c)(2)). Which party the rule means when the transaction names an end user
 * apart from the consignee is a named reading (`id`: INT-26 for ACM, INT-27 for LPP): by default
 * the end user as much as the consignee.
 */
export function ultimateConsigneeNotMacauD5(x: ExceptionInput, citation: string, id: string): Cond {
  const { f, ctx } = x;
  if (!f.separateEndUser) return consigneeNotMacauD5(f, citation);
  const test = (reading: string): Finding => anyOf(...(reading === 'consignee_only' ? [f.consignee] : [f.consignee, f.endUser]).map((p) => hqOrParentIn(p, inMacauOrD5, 'Macau or Country Group D:5')));
  const hq = ctx.choose(id, test, (a, b) => a.value === b.value);
  const who = ctx.reading(id) === 'consignee_only' ? 'the consignee' : 'the consignee or the end user';
  return cond('consignee-not-macau-d5-headquartered', { value: hq.value === undefined ? undefined : !hq.value, missing: hq.missing }, citation,
    () => hq.value === undefined ? `Whether ${who} (or an ultimate parent) is headquartered in Macau or D:5 is unknown (${id}).` : hq.value ? `${who[0]!.toUpperCase()}${who.slice(1)} (or an ultimate parent) is headquartered in Macau or D:5 (${id}).` : `Neither ${who.replace(' or ', ' nor ')} nor an ultimate parent is headquartered in Macau or D:5 (${id}).`);
}

/** Any party of the transaction headquartered (or with an ultimate parent) in Macau or D:5. */
export function anyPartyMacauD5(f: TxFacts): Finding {
  return anyOf(...partiesOf(f).map((p) => hqOrParentIn(p, inMacauOrD5, 'Macau or Country Group D:5')));
}

/**
 * 15 CFR 740.2(a)(9)(ii): to D:1/D:4/D:5 (outside A:5/A:6), or (from 2024-04-04, 89 FR 23876) for
 * an entity headquartered in Macau or D:5 wherever located, items in (a)(9)(ii)(A) may use only
 * the listed exceptions. The 2023-11-17 text reached only the D-set.
 */
type Scope = (f: TxFacts, ctx: Ctx) => Finding;
const dSetOnly: Scope = (f, ctx) => ({ value: reachesD145NotA56(f, ctx), missing: NONE as Missing[] });
const dSetOrHeadquarters: Scope = (f, ctx) => anyOf({ value: reachesD145NotA56(f, ctx), missing: NONE as Missing[] }, anyPartyMacauD5(f));
const restrictionScope = texts<Scope>('740.2(a)(9)(ii)', { '2023-11-17': dSetOnly, '2024-04-04': dSetOrHeadquarters, '2024-12-02': dSetOrHeadquarters, '2025-01-13': dSetOrHeadquarters });

export function restriction7402(f: TxFacts, eccn: string | null, ctx: Ctx): Finding {
  if (!covers('exceptionRestriction', eccn)) return { value: false, missing: NONE as Missing[] };
  return (restrictionScope(ctx) ?? dSetOrHeadquarters)(f, ctx);
}

export function records(citation: string, what: string): Obligation {
  return { what: `Keep the records of ${what} for ${RECORD_YEARS} years.`, when: 'from the export, reexport or transfer', to: 'your records', citation: `${citation}; 15 CFR 762.6` };
}

/** Shared, like every obligation that does not depend on the shipment: outputs are read-only. */
const VERIFY_PART_744: Obligation = { what: 'Verify that no part 744 end use or end user is involved (no license exception may be used if one is).', when: 'before each export, reexport or transfer', to: 'your screening records', citation: '15 CFR 740.2(a); part 744' };

export function verifyPart744(): Obligation {
  return VERIFY_PART_744;
}
