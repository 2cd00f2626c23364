/**
 * A quick path to the `Transaction` schema's answer for the common, plainly valid input: the
 * screening maps every order line into contract form and validates it, and building a zod parse
 * for each line cost more than evaluating it. `quickTransaction` returns exactly what
 * `Transaction.parse` would (the same values, the same key order: the schema's), or `undefined`
 * when it is not sure, and then the caller runs the schema, which stays the contract and gives
 * every error with its path. It is never the judge of an invalid input: whatever it does not
 * accept, zod decides. test/unit/transaction-fast.test.ts holds it to zod's output.
 *
 * Only what screening rows carry is taken here; anything else (the ECCN and IaaS items,
 * derivedFrom, syntheticData, another activity than a plain export…) goes to zod.
 */
import { isKnownChip } from '../data/chips.js';
import { isKnownCountry } from '../data/countries.js';
import { isUnitedStates } from '../data/country-groups.js';
import { exactRangeProblem } from '../compute/exact.js';
import { ACTIVITIES, END_USES, Facts, Item, Party, Transaction } from './transaction.js';

/** Not taken here: let the schema decide. */
const NO: unique symbol = Symbol('no');
type Check = (v: unknown) => unknown;

const DECIMAL = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const text = (max: number): Check => (v) => (typeof v === 'string' && v.length <= max ? v : NO);
const bool: Check = (v) => (typeof v === 'boolean' ? v : NO);
const oneOf = (values: readonly string[]): Check => {
  const set = new Set(values);
  return (v) => (typeof v === 'string' && set.has(v) ? v : NO);
};
/** CountryCode: trimmed, upper-cased, a known ISO code. */
const country: Check = (v) => {
  if (typeof v !== 'string') return NO;
  // Two capitals (a screening row's resolved code) are their own trimmed upper case: trim and
  // toUpperCase cost more than the lookup, four times a line.
  if (v.length === 2 && isCapital(v.charCodeAt(0)) && isCapital(v.charCodeAt(1))) return isKnownCountry(v) ? v : NO;
  const s = v.trim().toUpperCase();
  return isKnownCountry(s) ? s : NO;
};
const isCapital = (c: number) => c >= 65 && c <= 90;
/** Calendar dates seen (an order book has few): building a Date for each line cost more than the rest of the check. */
const calendarDates = new Set<string>();
const isoDate: Check = (v) => {
  if (typeof v !== 'string') return NO;
  if (calendarDates.has(v)) return v;
  if (!ISO_DATE.test(v)) return NO;
  const d = new Date(`${v}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) return NO;
  if (calendarDates.size >= 10_000) calendarDates.clear();
  calendarDates.add(v);
  return v;
};
const chipModel: Check = (v) => (typeof v === 'string' && isKnownChip(v) ? v : NO);
const wholeNumber = (max: number): Check => (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 && v <= max ? v : NO);
const positiveFinite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : NO);
/** ExactNumber: a non-negative decimal kept as its text, "+" dropped, within the exact range. */
const exact: Check = (v) => {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return NO;
    return exactText(String(v));
  }
  if (typeof v !== 'string') return NO;
  // An order book repeats a few figures: the range check is a handful of regular expressions.
  let r = exactSeen.get(v);
  if (r === undefined) {
    r = exactText(v.trim());
    if (exactSeen.size >= 10_000) exactSeen.clear();
    exactSeen.set(v, r);
  }
  return r;
};
const exactSeen = new Map<string, unknown>();
function exactText(s: string): unknown {
  if (!DECIMAL.test(s) || exactRangeProblem(s) !== undefined) return NO;
  return s.replace(/^\+/, '');
}
const positiveTpp: Check = (v) => {
  const s = exact(v);
  return s !== NO && /[1-9]/.test((s as string).split(/[eE]/)[0]!) ? s : NO;
};
const listOf = (values: readonly string[], max: number): Check => {
  const one = oneOf(values);
  return (v) => {
    if (!Array.isArray(v) || v.length > max) return NO;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) if ((out[i] = one(v[i])) === NO) return NO;
    return out;
  };
};

type Shape = Record<string, { _zod: { optin?: string } }>;

/** The keys of a zod object schema, in the order its parse writes them. */
function keysOf(schema: unknown): readonly string[] {
  return Object.keys((schema as { shape: Shape }).shape);
}

/** The keys the schema requires (not optional). */
function requiredOf(schema: unknown): ReadonlySet<string> {
  const shape = (schema as { shape: Shape }).shape;
  return new Set(Object.keys(shape).filter((k) => shape[k]!._zod.optin !== 'optional'));
}

/**
 * An object with these fields, each checked, written in the schema's key order; an unknown key,
 * a required key absent, an undefined value given as a key, or a failed check: NO.
 */
function object(schema: unknown, fields: Record<string, Check>, refine?: (out: Record<string, unknown>, given: Record<string, unknown>) => boolean): Check {
  const order = keysOf(schema);
  for (const k of Object.keys(fields)) if (!order.includes(k)) throw new Error(`transaction-fast: ${k} is not in the schema`);
  const checks = order.map((k) => fields[k]);
  const required = requiredOf(schema);
  const isRequired = order.map((k) => required.has(k));
  const slotOf = new Map(order.map((k, i) => [k, i]));
  // Each key's checked value by its place in the schema; emptied after each object. An object's
  // check never runs inside itself (the nested objects are other schemas), so one array serves.
  const slots = new Array<unknown>(order.length).fill(undefined);
  const refuse = () => {
    slots.fill(undefined);
    return NO;
  };
  return (v) => {
    // A plain object only (own keys are then its enumerable keys); anything else is zod's.
    if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return NO;
    const given = v as Record<string, unknown>;
    // The given keys, not the schema's: a row gives a third of them, and a key the schema does not
    // have (an unknown field), an undefined value or a failed check refuses the object.
    let requiredSeen = 0;
    for (const k in given) {
      const i = slotOf.get(k);
      if (i === undefined) return refuse();
      const x = given[k];
      const check = checks[i];
      if (x === undefined || check === undefined) return refuse();
      const y = check(x);
      if (y === NO) return refuse();
      slots[i] = y;
      if (isRequired[i]) requiredSeen++;
    }
    if (requiredSeen !== required.size) return refuse();
    const out: Record<string, unknown> = {};
    for (let i = 0; i < order.length; i++) {
      const y = slots[i];
      if (y === undefined) continue;
      out[order[i]!] = y;
      slots[i] = undefined;
    }
    return refine && !refine(out, given) ? NO : out;
  };
}

/** The IC description's own rule: exactly one of model, tpp, tops (with bitLength), and no specs beside a model. */
function oneIcDescription(out: Record<string, unknown>): boolean {
  const model = out.model !== undefined;
  const tpp = out.tpp !== undefined;
  const tops = out.tops !== undefined;
  if (Number(model) + Number(tpp) + Number(tops) !== 1) return false;
  if (tops !== (out.bitLength !== undefined)) return false;
  return !(model && (out.dieAreaMm2 !== undefined || out.datacenter !== undefined));
}

const icDescription: Record<string, Check> = {
  model: chipModel, tpp: positiveTpp, tops: positiveFinite, bitLength: wholeNumber(1024), dieAreaMm2: positiveFinite, datacenter: bool, name: text(200),
};
const origin: Record<string, Check> = { producedOutsideUS: bool, foreignDirectProduct: bool };

/** The schema of one member of the item union, by its type. */
function member(type: string): unknown {
  const m = (Item as unknown as { options: { shape: { type: { value: string } } }[] }).options.find((o) => o.shape.type.value === type);
  if (!m) throw new Error(`transaction-fast: no item type ${type}`);
  return m;
}
const typeIs = (t: string): Check => (v) => (v === t ? v : NO);

const computerIcSchema = (member('computer') as { shape: { ics: { element: unknown } } }).shape.ics.element;
const computerIc = object(computerIcSchema, { ...icDescription, count: wholeNumber(1_000_000) }, oneIcDescription);

const items: Record<string, Check> = {
  ic: object(member('ic'), { type: typeIs('ic'), ...icDescription, ...origin }, oneIcDescription),
  computer: object(member('computer'), {
    type: typeIs('computer'),
    name: text(200),
    ics: (v) => {
      if (!Array.isArray(v) || v.length < 1 || v.length > 64) return NO;
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) if ((out[i] = computerIc(v[i])) === NO) return NO;
      return out;
    },
    datacenter: bool,
    ...origin,
  }),
  model_weights: object(member('model_weights'), {
    type: typeIs('model_weights'), published: bool, trainingOperations: exact, parameters: exact, trainingTokens: exact, additionalOperations: exact,
    note2Excluded: bool, note2Operations: exact, name: text(200), trainedOnControlledComputing: bool, producedOutsideUS: bool,
  }),
};
const item: Check = (v) => {
  const type = v !== null && typeof v === 'object' ? (v as { type?: unknown }).type : undefined;
  // Own keys only: `__proto__` or `constructor` as a type would otherwise find Object.prototype's members.
  const check = typeof type === 'string' && Object.hasOwn(items, type) ? items[type] : undefined;
  return check ? check(v) : NO;
};

const party = object(Party, {
  name: text(500), id: text(200), country, headquarters: country, ultimateParentHeadquarters: country, ultimateParentId: text(200),
  sector: oneOf(['private', 'government']), veu: oneOf(['UVEU', 'NVEU']),
});

const transaction = object(Transaction, {
  id: text(200), date: isoDate, activity: oneOf(ACTIVITIES.filter((a) => a === 'export')), from: country, to: country, item, quantity: wholeNumber(10_000_000),
  consignee: party, endUser: party, endUses: listOf(END_USES, END_USES.length), viaDistributor: bool,
  facts: object(Facts, { storageMeetsSupp10Security: bool, permanentRegularEmployee: bool, part744Concern: bool, ultimateCustomersInMacauOrD5: bool }),
}, (tx) => {
  // The schema's cross-field rules, for a plain export of goods: a destination, from the United
  // States (or not said), to another country, a consignee (if located) located there (weights may
  // go to a consignee elsewhere). Anything else is the schema's to judge.
  const from = tx.from ?? 'US';
  const consigneeCountry = (tx.consignee as { country?: string } | undefined)?.country;
  const goods = (tx.item as { type: string }).type !== 'model_weights';
  return tx.to !== undefined && from === 'US' && !isUnitedStates(tx.to as string) && !(goods && consigneeCountry !== undefined && consigneeCountry !== tx.to);
});

/** `Transaction.parse(input)` when the input is plainly valid; `undefined`: run the schema. */
export function quickTransaction(input: unknown): Transaction | undefined {
  const out = transaction(input);
  return out === NO ? undefined : (out as Transaction);
}
