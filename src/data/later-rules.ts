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
  /** Warned about even where no license is required (an is-informed letter adds one the CCL does not). */
  whetherOrNotLicensed?: boolean;
  when: {
    /** Catalog chip ids: the item, or an IC of a computer, is one of them. */
    models?: string[];
    /** One of these license exceptions is eligible (a limit on it that aidr does not model). */
    exceptionsEligible?: string[];
    /** A place the items reach, or a party's headquarters or ultimate parent's, is in Macau or D:5. */
    placeOrHeadquartersIn?: 'macauOrD5';
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
