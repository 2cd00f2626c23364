/**
 * Which text of a provision applies on a date, in a regime. A provision has dated versions
 * (data/regimes/provisions.json, each with its Federal Register source); the law modules register
 * the function that applies each version and ask `versionOn` which one is in force.
 *
 * - codified: the latest codified version whose `from` is on or before the date.
 * - enforced: the same, except
 *   - a version whose rule was in effect but not yet compliance-required on the date (90 FR 4544
 *     before 2025-05-15) gives way to the version before it (INT-56);
 *   - a version a posture row of data/regimes/enforcement.json lists as not enforced on the date
 *     gives way to the row's `appliedInstead` version, or to the version before it, or to none,
 *     unless the row's interpretation is read as enforcing it after all (`enforcedUnder`);
 *   - INT-45 `as_written` makes the enforced regime the codified text throughout.
 * No posture, date or status is written here: all of it is read from the data.
 */
import type { Ctx } from '../engine/context.js';
import { COMPLIANCE_DEFERRALS, overlay, POSTURES, PROVISIONS, provisionText, TEXT_BIT, versionId, type ProvisionVersion } from '../data/regimes.js';

/** A version as the determination records it (basis, explanation, replay). */
export interface AppliedVersion {
  provision: string;
  citation: string;
  from: string;
  source: string;
  /** False when the version is BIS's enforcement posture rather than a codified text. */
  codified: boolean;
}

export interface Choice {
  version: ProvisionVersion | undefined;
  /** Interpretations whose reading decided the choice: [id, reading used]. */
  relied: [string, string][];
  /** The provision's TEXT_BIT, kept with the cached choice so that a look-up needs no second map. */
  bit: number;
  /** The law module's function for `version` (see `texts`), kept on first use: no look-up by date per evaluation. */
  text?: unknown;
}

/**
 * date → readings → regime → provision → choice, looked up once per evaluation (not per
 * provision), by the readings' key string (one per readings map: no string is built per look-up).
 */
const choiceCache = new Map<string, Map<string, Map<string, Map<string, Choice>>>>();

/** The choices of one (date, regime, readings): kept on the context after the first look-up. */
export function choicesFor(ctx: Ctx): Map<string, Choice> {
  let byProvision = ctx.choices as Map<string, Choice> | undefined;
  if (byProvision) return byProvision;
  let onDate = choiceCache.get(ctx.asOf);
  if (!onDate) {
    if (choiceCache.size > 5_000) choiceCache.clear();
    choiceCache.set(ctx.asOf, (onDate = new Map()));
  }
  const readings = ctx.readingsKey;
  let byRegime = onDate.get(readings);
  if (!byRegime) {
    if (onDate.size > 1_000) onDate.clear();
    onDate.set(readings, (byRegime = new Map()));
  }
  byProvision = byRegime.get(ctx.regime);
  if (!byProvision) byRegime.set(ctx.regime, (byProvision = new Map()));
  ctx.choices = byProvision;
  return byProvision;
}

/** The version of `provision` in force on ctx.asOf in ctx.regime (undefined: none yet, or none enforced). */
export function versionOn(provision: string, ctx: Ctx): ProvisionVersion | undefined {
  return consult(provision, ctx).version;
}

/** The cached choice of `provision` for this context, recorded as consulted (and applied, when a version is). */
function consult(provision: string, ctx: Ctx): Choice {
  const choices = choicesFor(ctx);
  let choice = choices.get(provision);
  if (!choice) {
    const chosen = choose(provision, ctx);
    choices.set(provision, (choice = { version: chosen.version, relied: chosen.relied, bit: TEXT_BIT.get(provision)! }));
  }
  ctx.consultedMask |= choice.bit;
  for (let i = 0; i < choice.relied.length; i++) ctx.markChoice(choice.relied[i]![0], choice.relied[i]![1]);
  if (choice.version) ctx.applied(provision, choice.version, choice.bit);
  return choice;
}

/** The version's `from` date, or undefined when none applies: the form most law modules switch on. */
export function versionFrom(provision: string, ctx: Ctx): string | undefined {
  return versionOn(provision, ctx)?.from;
}

function choose(provision: string, ctx: Ctx): Omit<Choice, 'bit'> {
  const text = provisionText(provision);
  const codified = text.versions.filter((v) => v.codified !== false && v.from <= ctx.asOf);
  const latest = codified[codified.length - 1];
  if (ctx.regime === 'codified' || latest === undefined) return { version: latest, relied: [] };
  const relied: [string, string][] = [];
  // INT-45 as_written: the enforced regime is the codified text.
  const int45 = ctx.reading('INT-45');
  if (int45 === 'as_written') return { version: latest, relied: affects(provision, ctx) ? [['INT-45', int45]] : [] };
  let index = codified.length - 1;
  let current: ProvisionVersion | undefined = latest;
  // Compliance deferred (90 FR 4544 from 2025-01-13 to 2025-05-14): the text it amended applies.
  const deferral = COMPLIANCE_DEFERRALS.find((d) => d.effective === current!.from && ctx.asOf < d.complianceFrom);
  if (deferral) {
    const reading = ctx.reading(deferral.interpretation);
    relied.push([deferral.interpretation, reading]);
    if (deferral.priorTextUnder.includes(reading)) {
      index -= 1;
      current = codified[index];
    }
  }
  if (current === undefined) return { version: undefined, relied };
  // Posture rows that do not enforce this version.
  const id = versionId(provision, current.from);
  for (const row of POSTURES) {
    if (row.from > ctx.asOf || !row.notEnforced?.includes(id)) continue;
    if (row.interpretation && row.enforcedUnder) {
      const reading = ctx.reading(row.interpretation);
      relied.push([row.interpretation, reading]);
      if (row.enforcedUnder.includes(reading)) continue;
    }
    const instead = row.appliedInstead?.startsWith(`${provision}#`) ? text.versions.find((v) => versionId(provision, v.from) === row.appliedInstead) : undefined;
    return { version: instead ?? codified[index - 1], relied };
  }
  return { version: current, relied };
}

/** Whether INT-45 can change this provision's version at all (some row lists one of its versions). */
function affects(provision: string, ctx: Ctx): boolean {
  return POSTURES.some((r) => r.from <= ctx.asOf && r.notEnforced?.some((v) => v.startsWith(`${provision}#`)));
}

/** The citation of a provision's applied version, for explanations: "15 CFR 744.23(a)(3) (text of 2024-12-02, 89 FR 96790)". */
export function versionCitation(provision: string, v: ProvisionVersion): string {
  const text = provisionText(provision);
  return v.codified === false ? `${text.citation} as BIS enforces it (${v.source})` : `${text.citation} (text of ${v.from}, ${v.source})`;
}

/** Provisions whose versions a law module has registered (checked by test/unit/provisions.test.ts). */
export const REGISTERED = new Map<string, readonly string[]>();

/**
 * A provision's versions as the functions that apply them, keyed by each version's `from` date.
 * Fails at load when the module and data/regimes/provisions.json disagree on the versions, so a
 * version cannot be added to the data without its text in the law (or the reverse).
 */
export function texts<F>(provision: string, byFrom: Record<string, F>): (ctx: Ctx) => F | undefined {
  const dates = provisionText(provision).versions.map((v) => v.from);
  const given = Object.keys(byFrom);
  if (dates.length !== given.length || dates.some((d) => !given.includes(d))) {
    throw new Error(`${provision}: the law module registers versions ${given.join(', ')}, data/regimes/provisions.json lists ${dates.join(', ')}`);
  }
  // One registration per provision: the function chosen is kept on the provision's cached choices.
  if (REGISTERED.has(provision)) throw new Error(`${provision}: versions registered twice`);
  REGISTERED.set(provision, given);
  // A Map, not the object: a property look-up by a date string read from the data is slow.
  const byDate = new Map(Object.entries(byFrom));
  return (ctx) => {
    const choice = consult(provision, ctx);
    if (choice.version === undefined) return undefined;
    return (choice.text ??= byDate.get(choice.version.from)) as F | undefined;
  };
}

/** Is a later-rule overlay in force on ctx.asOf in ctx.regime? Records it when it is. */
export function overlayOn(id: string, ctx: Ctx): boolean {
  const o = overlay(id);
  ctx.consultedMask |= TEXT_BIT.get(`overlay:${id}`)!;
  if (o.from > ctx.asOf || !o.regimes.includes(ctx.regime)) return false;
  return true;
}

/** Record that an overlay changed (or decided) this evaluation's answer. */
export function overlayApplied(id: string, ctx: Ctx): void {
  ctx.overlayApplied(id);
}

/**
 * Would the other regime decide this evaluation alike? Yes when every provision it consulted has
 * the same version in both regimes and it consulted no overlay that reads the regime itself (the
 * UAE rule's .a branch): the evaluation's path is then the same function at every step, so the
 * answer is too. Cached per (date, readings, provisions consulted); `other` may be a function that
 * builds the other regime's context, called only on a cache miss.
 */
export interface Agreement {
  /** Readings the other regime's own version choices relied on, for the provisions consulted. */
  readonly relied: readonly (readonly [string, string])[];
}
/** Keyed by the choices of this (date, regime, readings) (see choicesFor), then by the provisions consulted. */
const sameCache = new WeakMap<Map<string, Choice>, Map<number, Agreement | null>>();
const OVERLAY_BITS = [...TEXT_BIT].filter(([k]) => k.startsWith('overlay:')).reduce((m, [, b]) => m | b, 0);

export function otherRegimeAgrees(ctx: Ctx, other: Ctx | (() => Ctx)): Agreement | undefined {
  const mask = ctx.consultedMask;
  if (mask & OVERLAY_BITS) return undefined;
  const choices = choicesFor(ctx);
  let byMask = sameCache.get(choices);
  if (!byMask) sameCache.set(choices, (byMask = new Map()));
  let same = byMask.get(mask);
  if (same === undefined) {
    const them = typeof other === 'function' ? other() : other;
    const consulted = PROVISIONS.filter((p) => mask & TEXT_BIT.get(p.id)!);
    const theirs = consulted.map((p) => choose(p.id, them));
    same = consulted.every((p, i) => choose(p.id, ctx).version === theirs[i]!.version) ? { relied: theirs.flatMap((c) => c.relied) } : null;
    byMask.set(mask, same);
  }
  return same ?? undefined;
}
