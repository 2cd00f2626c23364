/**
 * The evaluation context handed to every rule: the date, the chosen interpretation readings, the
 * ledger view, and the collectors for explanation steps and interpretation use. Rules are pure
 * functions of (facts, context); the context is the only thing they write to.
 */
import type { RegimeId, Step } from '../contract/determination.js';
import { defaultReading, readingIds, INTERPRETATIONS } from '../data/interpretations.js';
import type { NumLike } from '../compute/exact.js';
import { TEXT_BIT, type ProvisionVersion } from '../data/regimes.js';
import { extend, NOTHING_RELIED, type ReliedOn } from './readings-relied.js';
import { dateFacts, type DateFacts } from './date-facts.js';

/**
 * A read-only snapshot of the ledgers that no single transaction shows (issue: ledgers). The core
 * never reads a database; the caller builds this view and re-checks it when it commits.
 */
export interface LedgerView {
  /** TPP the ultimate consignee already received under LPP this calendar year (default 0). */
  lppUsedTpp?: NumLike;
  /** Same, keyed by the INT-7 reading when the caller tracks both ('ultimate_parent', 'owner'). */
  lppUsedTppByReading?: Record<string, NumLike>;
  /** AIA TPP the ultimate consignee already received (default 0), for the 740.27(c) reporting trigger. */
  aiaCumulativeTpp?: NumLike;
  /** TPP already licensed to the destination within the allocation period (default: unknown). */
  countryLicensedTpp?: NumLike;
}

export interface EvalOptions {
  /** Overrides the transaction date. */
  asOf?: string;
  /** Interpretation readings other than the defaults, e.g. { 'INT-6': 'available' }. */
  interpretations?: Record<string, string>;
  ledger?: LedgerView;
  /**
   * Full output (default true). `false` gives the lean output for bulk screening: no explanation,
   * classification basis or condition details; exceptions list their conditions up to the first
   * that is not met; interpretation sensitivity is not computed unless `sensitivity` is true.
   */
  explain?: boolean;
  /**
   * The regime the top-level answer follows: `codified` (the EAR as written on the date) or
   * `enforced` (as BIS enforces it). Both are always evaluated and reported in `regimes`.
   */
  regime?: RegimeId;
  /** Re-evaluate under alternative readings to say whether they change the outcome (default: as `explain`). */
  sensitivity?: boolean;
}

export const MANY_PLACES = '*';

/** Shared empty collections: a lean evaluation never adds steps, and most add no warning or overlay. */
export const NO_STEPS: Step[] = Object.freeze([]) as unknown as Step[];
const NO_WARNINGS: readonly string[] = Object.freeze([]);
const NO_OVERLAYS: ReadonlySet<string> = new Set();
const NO_ENTRIES: ReadonlyMap<string, string> = new Map();
const NO_VERSIONS: readonly [string, ProvisionVersion][] = Object.freeze([]);

export class Ctx {
  /** Explanation steps (full output only; a lean evaluation shares one frozen empty list). */
  readonly steps: Step[];
  /**
   * The readings relied on, as one shared node per sequence (readings-relied.ts): a context adds
   * no map of its own (bulk screening makes two contexts per line).
   */
  relied: ReliedOn = NOTHING_RELIED;
  /** Interpretations whose reading mattered to some finding: id → reading used, in the order first recorded. */
  get touched(): ReadonlyMap<string, string> {
    return this.relied.byId;
  }
  /**
   * Where each interpretation was consulted ('classification', 'license', 'exception:LPP',
   * 'policy', …), or MANY_PLACES when in more than one. Kept only by an evaluation whose
   * sensitivity is analysed (`tracksWhere`): nothing else reads it.
   */
  get touchedIn(): ReadonlyMap<string, string> {
    return this.whereMap ?? NO_ENTRIES;
  }
  private whereMap?: Map<string, string>;
  /** The part of the evaluation now running (set by the pipeline). */
  component = 'facts';
  /**
   * Set while an exception's conditions after one that is not met are evaluated for display only
   * (full output): what they consult cannot change the answer, so it is not recorded as relied on.
   * Lean output never evaluates them, and both list the same interpretations.
   */
  displayOnly = false;
  /** Warnings raised by the rules, without repeats (created on the first). */
  get warnings(): readonly string[] {
    return this.warningList ?? NO_WARNINGS;
  }
  private warningList?: string[];

  /** What the engine asks of the date, answered once per date (date-facts.ts). */
  get dates(): DateFacts {
    return (this.dateFacts ??= dateFacts(this.asOf));
  }
  private dateFacts?: DateFacts;

  constructor(
    readonly asOf: string,
    private readonly readings: ReadonlyMap<string, string>,
    readonly ledger: LedgerView,
    readonly explainOn: boolean,
    /** The regime this evaluation answers under; law modules pick their text version by it. */
    readonly regime: RegimeId = 'codified',
    /** Record where each interpretation is consulted (touchedIn), for the sensitivity analysis. */
    readonly tracksWhere = true,
  ) {
    this.steps = explainOn ? [] : NO_STEPS;
  }

  /**
   * The provision versions this evaluation applied (provision id → version, in the order first
   * applied), for basis and replay. A new Map built on each call: a lean evaluation keeps only the list (its
   * texts are looked up by `textsMask`, and the versions read only when a set is first met).
   */
  get versions(): ReadonlyMap<string, ProvisionVersion> {
    return new Map(this.appliedList ?? NO_VERSIONS);
  }
  /** The version applied of one provision (a look-up in the list, without building `versions`). */
  appliedVersion(provision: string): ProvisionVersion | undefined {
    return this.appliedList?.find(([p]) => p === provision)?.[1];
  }
  private appliedList?: [string, ProvisionVersion][];
  /** Later-rule overlays that adjusted this evaluation's answer (ids in data/regimes/provisions.json). */
  get overlays(): ReadonlySet<string> {
    return this.overlaySet ?? NO_OVERLAYS;
  }
  private overlaySet?: Set<string>;

  /** The provision choices of this (date, regime, readings), shared with every evaluation alike (src/law/provision.ts). */
  choices?: Map<string, unknown>;

  /** The provisions and overlays applied, one bit each (TEXT_BIT): a cheap key for what they add up to. */
  textsMask = 0;
  /** The provisions consulted (whether or not a version applied) and the overlays looked at, one bit each. */
  consultedMask = 0;

  /** Record the version applied; `bit` is the provision's TEXT_BIT (provision.ts keeps it with the choice). */
  applied(provision: string, version: ProvisionVersion, bit: number): void {
    // A provision has one version per context (its choices are fixed): kept once, on first use.
    if (this.displayOnly || (this.textsMask & bit) !== 0) return;
    (this.appliedList ??= []).push([provision, version]);
    this.textsMask |= bit;
  }

  overlayApplied(id: string): void {
    if (this.displayOnly) return;
    (this.overlaySet ??= new Set()).add(id);
    this.textsMask |= TEXT_BIT.get(`overlay:${id}`)!;
  }

  /** The readings as a cache key ('d' for the defaults): one string per readings map (see keysOf). */
  get readingsKey(): string {
    return keysOf(this.readings).all;
  }

  reading(id: string): string {
    return (this.readings.size === 0 ? undefined : this.readings.get(id)) ?? defaultReading(id);
  }

  /** The readings that can change a classification, as a cache key: one string per readings map (see keysOf). */
  get classificationReadings(): string {
    const keys = keysOf(this.readings);
    return (keys.classification ??= this.readings.size === 0 ? 'defaults' : `${this.reading('INT-1')}|${this.reading('INT-2')}|${this.reading('INT-3')}|${this.reading('INT-23')}|${this.reading('INT-28')}|${this.reading('INT-29')}`);
  }

  /**
   * Decide something that depends on an interpretation. The decision is computed under every
   * reading; when they differ, the interpretation is recorded as one this determination relied on.
   */
  choose<T>(id: string, decide: (reading: string) => T, same: (a: T, b: T) => boolean = Object.is): T {
    const chosen = this.reading(id);
    const value = decide(chosen);
    for (const r of readingIds(id)) {
      if (r !== chosen && !same(decide(r), value)) {
        this.mark(id, chosen);
        break;
      }
    }
    return value;
  }

  /** Record reliance on a single-reading interpretation (e.g. Hong Kong as China). */
  rely(id: string): void {
    this.mark(id, this.reading(id));
  }

  /**
   * Readings relied on only to choose a provision's text version (src/law/provision.ts), never by a
   * law module: id → reading. The other regime's answer, when it applies the same texts, relies on
   * the module readings and on its own choices' readings instead of these. (Created on the first:
   * most evaluations have none, and a Map per context is a cost bulk screening pays millions of times.)
   */
  get choiceOnly(): ReadonlyMap<string, string> {
    return this.choiceOnlyMap ?? NO_ENTRIES;
  }
  private choiceOnlyMap?: Map<string, string>;

  /** Record that `id` (read as `reading`) mattered here; also replays cached classifications. */
  mark(id: string, reading: string): void {
    if (this.displayOnly) return;
    this.choiceOnlyMap?.delete(id);
    this.record(id, reading);
  }

  /** Record a reading that decided which text version applies (provision.ts). */
  markChoice(id: string, reading: string): void {
    if (this.displayOnly) return;
    if (!this.touched.has(id)) (this.choiceOnlyMap ??= new Map()).set(id, reading);
    this.record(id, reading);
  }

  private record(id: string, reading: string): void {
    if (!this.relied.byId.has(id)) this.relied = extend(this.relied, id, reading);
    if (!this.tracksWhere) return;
    const places = (this.whereMap ??= new Map());
    const where = places.get(id);
    if (where === undefined) places.set(id, this.component);
    else if (where !== this.component) places.set(id, MANY_PLACES);
  }

  /** Add an explanation step; `detail` may be a function so that lean evaluations never build it. */
  step(rule: string, citation: string, result: string, detail?: string | (() => string)): void {
    if (!this.explainOn) return;
    const text = typeof detail === 'function' ? detail() : detail;
    this.steps.push(text === undefined ? { rule, citation, result } : { rule, citation, result, detail: text });
  }

  warn(text: string): void {
    const list = (this.warningList ??= []);
    if (!list.includes(text)) list.push(text);
  }
}

/**
 * The cache keys of a readings map, built once per map: the sensitivity analysis evaluates each
 * alternative reading under one shared map (sensitivity.ts withReading), so its contexts get the
 * same key strings (compared by identity, hashed once) instead of building new ones per context.
 * A map's contents never change once a context reads it.
 */
const readingsKeys = new WeakMap<ReadonlyMap<string, string>, { all: string; classification?: string }>();
function keysOf(readings: ReadonlyMap<string, string>): { all: string; classification?: string } {
  let keys = readingsKeys.get(readings);
  if (!keys) readingsKeys.set(readings, (keys = { all: readingsKeyOf(readings) }));
  return keys;
}

/**
 * The readings as a cache key: 'd' for the defaults; a single reading (each alternative the
 * sensitivity analysis evaluates) without sorting or JSON.
 */
function readingsKeyOf(readings: ReadonlyMap<string, string>): string {
  if (readings.size === 0) return 'd';
  if (readings.size === 1) for (const [id, reading] of readings) return `${id}=${reading}`;
  return JSON.stringify([...readings].sort());
}

/** Validate interpretation overrides: unknown ids or readings are errors naming the field. */
const DEFAULT_READINGS: ReadonlyMap<string, string> = new Map();

export function readingsFrom(overrides: Record<string, string> | undefined): ReadonlyMap<string, string> {
  if (overrides === undefined) return DEFAULT_READINGS;
  const out = new Map<string, string>();
  for (const [id, reading] of Object.entries(overrides ?? {})) {
    if (!INTERPRETATIONS.has(id)) throw new InputError(`interpretations.${id}`, `unknown interpretation (known: ${[...INTERPRETATIONS.keys()].join(', ')})`);
    const ids = readingIds(id);
    if (!ids.includes(reading)) throw new InputError(`interpretations.${id}`, `unknown reading "${reading}" (one of: ${ids.join(', ')})`);
    out.set(id, reading);
  }
  return out;
}

/** Invalid input: the message names the field path. Never a crash, never a partial write. */
export class InputError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'InputError';
  }
}
