/**
 * Supplement No. 8 to part 740 (91 FR 43034, from 2026-07-10): UAE entities approved for
 * license-free access to advanced computing items, with their sunset dates (data/supp8-740.json).
 */
import { loadData } from './load.js';

export interface Supp8Entity { id: string; name: string; until?: string; label: string; source: string }

interface Supp8File { citation: string; source: string; since: string; coveredEccns: string[]; entities: Supp8Entity[] }

export const SUPP8 = loadData<Supp8File>('supp8-740.json');

const byId = new Map(SUPP8.entities.map((e) => [e.id, e]));

export function supp8Entity(id: string): Supp8Entity | undefined {
  return byId.get(id);
}

export const SUPP8_IDS: readonly string[] = SUPP8.entities.map((e) => e.id);

/** Is the ECCN among those Supp. No. 8 covers ('3A001.z*' covers every 3A001.z paragraph)? */
export function supp8Covers(eccn: string | null): boolean {
  if (eccn === null) return false;
  return SUPP8.coveredEccns.some((e) => (e.endsWith('*') ? eccn.startsWith(e.slice(0, -1)) : eccn === e));
}
