/**
 * The regimes' dated data: the timeline of the rules from 2023-11-17 on, the vintages an
 * evaluation keys on, BIS's enforcement posture per provision of 90 FR 4544, and the sources they
 * cite by key. Each entry carries its label: V read in primary text, S secondary, I inference,
 * U unknown. The law reads postures from here; no status is written in code.
 */
import { loadData } from './load.js';

export interface TimelineEntry {
  id: string;
  /** Effective date (ISO), when the entry has one. */
  date: string | null;
  dateText: string;
  instrument: string;
  change: string;
  source: string;
  label: string;
}

export interface Vintage {
  id: string;
  from: string;
  to: string;
  baseText: string;
}

export type PostureStatus = 'enforced' | 'not_enforced' | 'unknown';

export interface ProvisionPosture {
  id: string;
  provision: string;
  codifiedEffect: string;
  enforcedPosture: string;
  basis: string;
  label: string;
  /** First date the posture applies (ISO). */
  from: string;
  status: PostureStatus;
  /** Ids of the provisions (data/regimes/provisions.json) the row governs. */
  provisions: string[];
  /** Version ids (`provision#from`) the enforced regime does not apply from `from`. */
  notEnforced?: string[];
  /** The version applied in their place, when the row names one. */
  appliedInstead?: string;
  /** The interpretation whose reading decides where the posture is unknown or contested. */
  interpretation?: string;
  /** Readings of `interpretation` under which the listed versions are enforced after all. */
  enforcedUnder?: string[];
}

/** One dated text version of a provision (or, with codified false, the posture BIS enforces instead). */
export interface ProvisionVersion {
  from: string;
  source: string;
  sourceKey: string;
  summary: string;
  label: string;
  /** False for a version that is BIS's enforcement posture, not a codified text. */
  codified?: boolean;
  /** The `from` of the codified version this posture replaces. */
  replaces?: string;
}

export interface ProvisionText {
  id: string;
  citation: string;
  title: string;
  /** Where a provision is applied other than through provision()/texts() (the classification). */
  appliedBy?: string;
  versions: ProvisionVersion[];
}

/** A later rule that adjusts answers without rewriting the provisions above (91 FR 1684, 91 FR 43034). */
export interface Overlay {
  id: string;
  from: string;
  citation: string;
  source: string;
  sourceKey: string;
  summary: string;
  label: string;
  regimes: ('codified' | 'enforced')[];
  /** 91 FR 1684: its thresholds and places, as data. */
  thresholds?: { tppBelow: string; dramBandwidthGBsBelow: string; destinations: string[]; commerciallyAvailableOn: string; source: string };
  /** 91 FR 1684: the Supp. No. 2 to part 748 para. (dd) statements and certifications. */
  applicationRequirements?: string[];
}

/** A rule in effect before its compliance date (90 FR 4544: 2025-01-13, compliance 2025-05-15). */
export interface ComplianceDeferral {
  rule: string;
  effective: string;
  complianceFrom: string;
  source: string;
  interpretation: string;
  /** Readings of `interpretation` under which the enforced regime applies the text the rule amended. */
  priorTextUnder: string[];
  note: string;
}

export interface SourceKey {
  key: string;
  source: string;
  howRead: string;
}

export const TIMELINE: readonly TimelineEntry[] = loadData<{ timeline: TimelineEntry[] }>('regimes/timeline.json').timeline;
export const VINTAGES: readonly Vintage[] = loadData<{ vintages: Vintage[] }>('regimes/vintages.json').vintages;
export const POSTURES: readonly ProvisionPosture[] = loadData<{ provisions: ProvisionPosture[] }>('regimes/enforcement.json').provisions;
const provisionsFile = loadData<{ provisions: ProvisionText[]; overlays: Overlay[]; compliance: ComplianceDeferral[]; coverage: { through: string; source: string } }>('regimes/provisions.json');
/** The research's coverage: no Federal Register action after this date is known. */
export const COVERAGE = provisionsFile.coverage;
/** Every provision aidr evaluates by text version, with its dated versions in order. */
export const PROVISIONS: readonly ProvisionText[] = provisionsFile.provisions;
export const OVERLAYS: readonly Overlay[] = provisionsFile.overlays;
export const COMPLIANCE_DEFERRALS: readonly ComplianceDeferral[] = provisionsFile.compliance;
export const SOURCES: readonly SourceKey[] = loadData<{ sources: SourceKey[] }>('regimes/sources.json').sources;

/** The vintage in force on `date`, or undefined before the first (2023-11-17). */
export function vintageOn(date: string): Vintage | undefined {
  let found: Vintage | undefined;
  for (const v of VINTAGES) if (date >= v.from) found = v;
  return found;
}

/** A version's id: `provision#from` (e.g. `744.23(a)(3)#2024-12-02`). */
export function versionId(provision: string, from: string): string {
  return `${provision}#${from}`;
}

export function provisionText(id: string): ProvisionText {
  const p = PROVISIONS.find((x) => x.id === id);
  if (!p) throw new Error(`data/regimes/provisions.json: no provision ${id}`);
  return p;
}

export function overlay(id: string): Overlay {
  const o = OVERLAYS.find((x) => x.id === id);
  if (!o) throw new Error(`data/regimes/provisions.json: no overlay ${id}`);
  return o;
}

/** The posture rows in effect on `date` (from <= date). */
export function posturesOn(date: string): ProvisionPosture[] {
  return POSTURES.filter((p) => p.from <= date);
}

/**
 * The first date on which the two regimes can differ: the earliest compliance deferral, posture
 * row that does not enforce a version, or enforcement-only version. Before it both regimes apply
 * the same texts, so one evaluation answers both.
 */
export const REGIMES_DIVERGE_FROM: string = [
  ...COMPLIANCE_DEFERRALS.map((d) => d.effective),
  ...POSTURES.filter((p) => p.notEnforced?.length).map((p) => p.from),
  ...PROVISIONS.flatMap((p) => p.versions.filter((v) => v.codified === false).map((v) => v.from)),
].sort()[0]!;

/** A bit per provision and per overlay: an evaluation's set of texts applied, as one number. */
export const TEXT_BIT: ReadonlyMap<string, number> = new Map([...PROVISIONS.map((p) => p.id), ...OVERLAYS.map((o) => `overlay:${o.id}`)].map((id, i) => [id, 2 ** i]));
