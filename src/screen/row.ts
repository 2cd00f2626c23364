/**
 * One input row (cells by column) → a Transaction of the contract, or the row's field errors.
 * Every value written otherwise than the contract writes it (a country name, a chip alias,
 * "10,000", "Yes") is resolved and reported on the row as a normalization; a value that cannot be
 * resolved is a field error with its path and column. The contract itself stays strict: the
 * resolved input is validated by the `Transaction` schema as any other caller's.
 */
import type { z } from 'zod';
import { parseJsonExact } from '../contract/json.js';
import { formatPath } from '../contract/parse.js';
import { Transaction } from '../contract/transaction.js';
import { quickTransaction } from '../contract/transaction-fast.js';
import { fillParty } from '../parties/fill.js';
import { resolveChip, resolveCountry } from './aliases.js';
import { PLAIN } from './plain.js';
import type { ColumnMap, Field } from './columns.js';

export interface RowError {
  path: string;
  /** The input column the value came from, when one did. */
  column?: string;
  message: string;
}

/** A party as the register keeps it (aidr parties import). */
export interface PartyRecord {
  id: string;
  /** The id as it was given (the register keeps `id` normalized). */
  givenId?: string;
  name?: string;
  country?: string;
  headquarters?: string;
  ultimateParentHeadquarters?: string;
  ultimateParentId?: string;
  sector?: 'private' | 'government';
}

/**
 * The parties register: a party by its normalized id (or alias); `named`, when the register can
 * answer it, the parties a name stands for (their normalized name or an alias equals it).
 */
export type PartyLookup = ((id: string) => PartyRecord | undefined) & { readonly named?: (name: string) => readonly PartyRecord[] };

export interface MappedRow {
  line: number;
  id?: string;
  tx?: Transaction;
  errors?: RowError[];
  /** What was resolved or filled in, in words: `to: "Germany" → DE`. */
  notes: string[];
  /** No date given (and no --as-of): the day the line is evaluated as of (said in `notes`). */
  undated?: string;
}

type Cell = unknown;

const TRUE = new Set(['true', 'yes', 'y', '1', 'x']);
const FALSE = new Set(['false', 'no', 'n', '0']);
const THOUSANDS = /^\d{1,3}(,\d{3})+$/;
const DECIMAL = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const isBlank = (v: Cell) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

type Converted = { value: unknown; note?: string } | { error: string };

function asText(v: Cell): string {
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? v.trim() : String(v);
}

function enumValue(raw: string, values: readonly string[]): string | undefined {
  const k = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return values.find((x) => x.toLowerCase() === k || x.toLowerCase().replace(/_/g, '') === k.replace(/_/g, ''));
}

/**
 * Resolutions of strings by field: an order book repeats the same few countries, chips and
 * enumerated values on every line, and resolving one (accents, spellings, suggestions) costs more
 * than evaluating the line.
 */
const cache = new Map<Field, Map<string, Converted>>();
const CACHED_KINDS = new Set<Field['kind']>(['country', 'chip', 'enum', 'list', 'bool', 'date']);

/** The field's resolutions (a cached kind), made once per field. */
function resolutionsOf(f: Field): Map<string, Converted> | undefined {
  if (!CACHED_KINDS.has(f.kind)) return undefined;
  let byValue = cache.get(f);
  if (!byValue) cache.set(f, (byValue = new Map()));
  return byValue;
}

/** A cell's value as the field takes it, its note (if any) saying the field: `to: "Germany" → DE`. */
function convert(f: Field, v: Cell, resolutions = typeof v === 'string' ? resolutionsOf(f) : undefined): Converted {
  if (resolutions === undefined || typeof v !== 'string') return withPath(f, convertValue(f, v));
  let c = resolutions.get(v);
  if (c === undefined) {
    c = withPath(f, convertValue(f, v));
    if (resolutions.size > 10_000) resolutions.clear();
    resolutions.set(v, c);
  }
  return c;
}

function withPath(f: Field, c: Converted): Converted {
  return 'note' in c && c.note !== undefined ? { value: c.value, note: `${f.path}: ${c.note}` } : c;
}

/** A cell's value as the field takes it. */
function convertValue(f: Field, v: Cell): Converted {
  const text = asText(v);
  switch (f.kind) {
    case 'string':
      return { value: text };
    case 'country': {
      const r = resolveCountry(text);
      if (!r.ok) return { error: r.message };
      return r.value === text.toUpperCase() ? { value: r.value } : { value: r.value, note: `"${text}" → ${r.value}` };
    }
    case 'chip': {
      const r = resolveChip(text);
      if (!r.ok) return { error: r.message };
      return r.value === text ? { value: r.value } : { value: r.value, note: `"${text}" → ${r.value}` };
    }
    case 'int':
    case 'number': {
      if (typeof v === 'number') return f.kind === 'int' && !Number.isInteger(v) ? { error: `expected a whole number, got ${v}` } : { value: v };
      if (THOUSANDS.test(text)) return { value: Number(text.replace(/,/g, '')), note: `"${text}" → ${text.replace(/,/g, '')}` };
      if (f.kind === 'int' ? /^\+?\d+$/.test(text) : DECIMAL.test(text)) return { value: Number(text) };
      return { error: `expected ${f.kind === 'int' ? 'a whole number' : 'a number'}, got "${text}"` };
    }
    case 'exact':
      if (typeof v === 'number') return { value: v };
      if (THOUSANDS.test(text)) return { value: text.replace(/,/g, ''), note: `"${text}" → ${text.replace(/,/g, '')}` };
      return { value: text };
    case 'bool': {
      if (typeof v === 'boolean') return { value: v };
      const k = text.toLowerCase();
      if (TRUE.has(k)) return k === 'true' ? { value: true } : { value: true, note: `"${text}" → true` };
      if (FALSE.has(k)) return k === 'false' ? { value: false } : { value: false, note: `"${text}" → false` };
      return { error: `expected yes or no (true/false), got "${text}"` };
    }
    case 'date': {
      if (v instanceof Date) {
        const d = v.toISOString().slice(0, 10);
        return { value: d };
      }
      if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return { value: text };
      const m = /^(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?(Z|[+-]00:?00)?$/.exec(text);
      if (m) return { value: m[1], note: `"${text}" → ${m[1]}` };
      return { error: `expected a date as YYYY-MM-DD, got "${text}" (a date such as 06/02/2025 is June 2 in one country and 6 February in another)` };
    }
    case 'enum': {
      const e = enumValue(text, f.values!);
      if (e === undefined) return { error: `expected one of ${f.values!.join(', ')}, got "${text}"` };
      return e === text ? { value: e } : { value: e, note: `"${text}" → ${e}` };
    }
    case 'list': {
      const parts = Array.isArray(v) ? v.map(asText) : text.split(/[;|,]/).map((s) => s.trim()).filter((s) => s !== '');
      const out: string[] = [];
      for (const p of parts) {
        const e = enumValue(p, f.values!);
        if (e === undefined) return { error: `expected values among ${f.values!.join(', ')}, got "${p}"` };
        out.push(e);
      }
      return out.some((x, i) => x !== parts[i]) ? { value: out, note: `"${Array.isArray(v) ? parts.join(', ') : text}" → ${out.join(', ')}` } : { value: out };
    }
    case 'json':
      if (typeof v !== 'string') return { value: v };
      try {
        return { value: parseJsonExact(text) };
      } catch (e) {
        return { error: `expected JSON: ${(e as Error).message}` };
      }
  }
}

function setPath(target: Record<string, unknown>, parts: readonly string[], value: unknown): void {
  let o = target;
  for (let i = 0; i < parts.length - 1; i++) o = (o[parts[i]!] ??= {}) as Record<string, unknown>;
  o[parts[parts.length - 1]!] = value;
}

/** A column as `mapRow` reads it, worked out once per column map. */
interface Column {
  index: number;
  field: Field;
  header: string;
  /** The field path's segments. */
  parts: readonly string[];
  /** The field's resolutions by text (a cached kind). */
  resolutions: Map<string, Converted> | undefined;
  /** A list or JSON value: copied, since the resolution is shared. */
  copy: boolean;
}

const plans = new WeakMap<ColumnMap, Column[]>();

/** The columns that fill a field, in order (one pass over the map per file, not per line). */
function columnsOf(columns: ColumnMap): Column[] {
  let plan = plans.get(columns);
  if (plan) return plan;
  plan = [];
  for (let i = 0; i < columns.fields.length; i++) {
    const f = columns.fields[i];
    if (f) plan.push({ index: i, field: f, header: columns.headers[i]!, parts: f.path.split('.'), resolutions: resolutionsOf(f), copy: f.kind === 'list' || f.kind === 'json' });
  }
  plans.set(columns, plan);
  return plan;
}

/** Printable ASCII other than a space (NaN, past the end of a string: no). */
const isVisible = (c: number) => c > 32 && c < 127;

/** A whole number of digits only, as `Number` reads it (at most 15 digits: exact); -1 otherwise. */
function digitsValue(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return -1;
  let x = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    x = x * 10 + d;
  }
  return x;
}

/** item.type when the row does not say: eccn when an ECCN is given, a computer with an IC count, else an IC for a model, TPP or TOPS. */
function inferItem(item: Record<string, unknown>): Record<string, unknown> {
  if (item.type === undefined) {
    if (item.eccn !== undefined) item.type = 'eccn';
    else if (item.icCount !== undefined || item.ics !== undefined) item.type = 'computer';
    else if (item.model !== undefined || item.tpp !== undefined || item.tops !== undefined) item.type = 'ic';
    else if (item.trainingOperations !== undefined || item.parameters !== undefined) item.type = 'model_weights';
  }
  if (item.type === 'computer' && item.ics === undefined && item.model !== undefined) {
    // A new object rather than deleting model and icCount: a deletion left the item a dictionary,
    // slower for every read after it. The keys keep their order, ics last.
    const computer: Record<string, unknown> = {};
    for (const k in item) if (k !== 'model' && k !== 'icCount') computer[k] = item[k];
    computer.ics = [{ model: item.model, count: item.icCount }];
    return computer;
  }
  return item;
}

/** Map a row's cells to a Transaction (or its errors). `cells[i]` is the value of column i. */
export function mapRow(line: number, cells: readonly Cell[], columns: ColumnMap, parties?: PartyLookup): MappedRow {
  const input: Record<string, unknown> = {};
  const notes: string[] = [];
  const errors: RowError[] = [];
  for (const col of columnsOf(columns)) {
    const f = col.field;
    const v = cells[col.index];
    let value: unknown;
    if (typeof v === 'string' && (f.kind === 'string' || f.kind === 'int')) {
      // The common text and whole-number cells, without a resolution object: the same values as convertValue's.
      const text = v.trim();
      if (text === '') continue;
      if (f.kind === 'string') value = text;
      else if (text === v && (value = digitsValue(v)) === -1) value = undefined;
    }
    if (value === undefined) {
      // A cell that starts and ends with a visible ASCII character is not blank (no trim to tell).
      if (!(typeof v === 'string' && isVisible(v.charCodeAt(0)) && isVisible(v.charCodeAt(v.length - 1))) && isBlank(v)) continue;
      const c = convert(f, v, col.resolutions);
      if ('error' in c) {
        errors.push({ path: f.path, column: col.header, message: c.error });
        continue;
      }
      if (c.note) notes.push(c.note);
      value = col.copy && Array.isArray(c.value) ? [...c.value] : c.value;
    }
    setPath(input, col.parts, value);
  }
  const id = typeof input.id === 'string' ? input.id : undefined;
  // A row with a value that could not be read is still checked against the schema, so that it is
  // told every bad or missing field at once (not the next one after each fix); the register is not
  // read for it (a fact filled in beside a refused value would only confuse).
  if (!errors.length) {
    fillParty('consignee', input.consignee as Record<string, unknown> | undefined, parties, notes);
    fillParty('endUser', input.endUser as Record<string, unknown> | undefined, parties, notes);
  }
  const item = inferItem((input.item ?? {}) as Record<string, unknown>);
  if (input.item !== undefined || Object.keys(item).length) input.item = item;
  // The common, plainly valid line without a zod parse (the same Transaction); the schema decides the rest.
  const quick = PLAIN || errors.length ? undefined : quickTransaction(input);
  // Written out rather than spread: a spread of { id } built and copied an object a line.
  if (quick) return id ? { line, id, tx: quick, notes } : { line, tx: quick, notes };
  const r = Transaction.safeParse(input);
  if (r.success && !errors.length) return { line, ...(id ? { id } : {}), tx: r.data, notes };
  if (!r.success) errors.push(...schemaErrors(r.error.issues, columns, errors));
  return { line, ...(id ? { id } : {}), errors: inColumnOrder(errors, columns), notes };
}

/** The field a schema path is given by: a computer's one IC is given as item.model and item.icCount. */
const fieldOf = (path: string) => path.replace(/^item\.ics\[0\]\.(model|count)$/, (_, k: string) => (k === 'model' ? 'item.model' : 'item.icCount'));

/** Whether `path` is `field` or within it, or `field` within `path` (an item refused: its type cannot be told either). */
const overlaps = (path: string, field: string) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`) || field.startsWith(`${path}.`);

/** Fields a refused value leaves unbuilt beside itself: a computer's ICs are built from its model (`inferItem`). */
const ALSO_UNBUILT: Record<string, readonly string[]> = { 'item.model': ['item.ics', 'item.icCount'] };

/** Whether the schema's issue at `field` only follows from the refused value at `refused`. */
const follows = (field: string, refused: string) => overlaps(field, refused) || (ALSO_UNBUILT[refused] ?? []).some((f) => overlaps(field, f));

/**
 * The schema's issues as row errors, each with the column its field comes from; an issue that only
 * follows from a value already refused (`refused`: the destination "Germny" is then missing) is left out.
 */
function schemaErrors(issues: readonly z.core.$ZodIssue[], columns: ColumnMap, refused: readonly RowError[]): RowError[] {
  const columnOf = new Map<string, string>();
  for (let i = 0; i < columns.fields.length; i++) {
    const f = columns.fields[i];
    if (f) columnOf.set(f.path, columns.headers[i]!);
  }
  const out: RowError[] = [];
  for (const issue of issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = formatPath(keys.length === 1 ? [...issue.path, keys[0]!] : issue.path);
    const field = fieldOf(path);
    if (refused.some((e) => follows(field, e.path))) continue;
    const message = keys.length ? `unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}` : issue.message;
    // "Say what is shipped" is said at the model column, where most order books say it.
    const column = columnOf.get(path) ?? columnOf.get(field) ?? (path === 'item' ? columnOf.get('item.model') : undefined);
    out.push({ path, ...(column ? { column } : {}), message: path === 'item' && issue.message.startsWith('Invalid input') ? 'say what is shipped: a model, tpp, tops with bitLength, an ECCN, or item.type' : message });
  }
  return out;
}

/** A row's errors as its columns read from left to right (those of no column last, in the order found). */
function inColumnOrder(errors: RowError[], columns: ColumnMap): RowError[] {
  if (errors.length < 2) return errors;
  const at = (e: RowError) => (e.column === undefined ? columns.headers.length : columns.headers.indexOf(e.column));
  return errors.map((e, i) => ({ e, i, at: at(e) })).sort((a, b) => a.at - b.at || a.i - b.i).map((x) => x.e);
}

/** A JSON record (a Transaction as the contract writes it, or a flat record of vocabulary names) as columns and cells. */
export function flattenRecord(value: unknown, jsonPaths: ReadonlySet<string>): { headers: string[]; cells: unknown[] } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const headers: string[] = [];
  const cells: unknown[] = [];
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !jsonPaths.has(path)) walk(v as Record<string, unknown>, path);
      else {
        headers.push(path);
        cells.push(v);
      }
    }
  };
  walk(value as Record<string, unknown>, '');
  return { headers, cells };
}
