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

export interface ProvisionPosture {
  id: string;
  provision: string;
  codifiedEffect: string;
  enforcedPosture: string;
  basis: string;
  label: string;
}

export interface SourceKey {
  key: string;
  source: string;
  howRead: string;
}

export const TIMELINE: readonly TimelineEntry[] = loadData<{ timeline: TimelineEntry[] }>('regimes/timeline.json').timeline;
export const VINTAGES: readonly Vintage[] = loadData<{ vintages: Vintage[] }>('regimes/vintages.json').vintages;
export const POSTURES: readonly ProvisionPosture[] = loadData<{ provisions: ProvisionPosture[] }>('regimes/enforcement.json').provisions;
export const SOURCES: readonly SourceKey[] = loadData<{ sources: SourceKey[] }>('regimes/sources.json').sources;

/** The vintage in force on `date`, or undefined before the first (2023-11-17). */
export function vintageOn(date: string): Vintage | undefined {
  let found: Vintage | undefined;
  for (const v of VINTAGES) if (date >= v.from) found = v;
  return found;
}
