/**
 * Later federal actions that aidr does not model but that a user must know about
 * (data/later-rules.json): each yields a warning when its conditions match the transaction.
 */
import { loadData } from './load.js';

export interface LaterRule {
  id: string;
  effective: string;
  /** The last day it applies, when it stopped (a stay); absent: still in effect. */
  until?: string;
  title: string;
  summary: string;
  source: string;
  when: {
    destinations?: string[];
    eccnPrefixes?: string[];
    tppPerUnitBelow?: string;
    activities?: string[];
    partyHeadquartersIn?: 'macauOrD5';
    endUses?: string[];
  };
}

export const LATER_RULES: readonly LaterRule[] = loadData<{ rules: LaterRule[] }>('later-rules.json').rules;

/** Destinations under part 746 embargoes or sanctions (data/embargoes.json): warned about, not modeled. */
export const EMBARGOES: ReadonlyMap<string, string> = new Map(
  loadData<{ destinations: { country: string; citation: string }[] }>('embargoes.json').destinations.map((d) => [d.country, d.citation]),
);
