/**
 * The chip catalog (data/chips.json): datasheet rates per precision, applicable die area and the
 * datacenter flag, each with a source. TPP and PD are derived here, never stored.
 */
import { loadData } from './load.js';
import { highestTpp, performanceDensity, type Rate } from '../compute/tpp.js';
import type { Decimal } from '../compute/exact.js';

export interface ChipEntry {
  id: string;
  vendor: string;
  name: string;
  datacenter: boolean;
  datacenterSource: string;
  rates: Rate[];
  dieAreaMm2: number | null;
  dieAreaSource?: string;
  memoryBandwidthGBs?: number;
  /** Total DRAM bandwidth, GB/s (91 FR 1684's threshold), with its source. */
  dramBandwidthGBs?: number;
  dramBandwidthSource?: string;
  released?: string;
  note?: string;
  /** 'US' when the part is the direct product of U.S.-origin design technology (734.9(h)(1)(i)). */
  designOrigin?: string | null;
  designOriginSource?: string;
}

export interface Chip extends ChipEntry {
  tpp: Decimal;
  /** The precision whose rate gives the highest TPP. */
  tppRate: Rate;
  pd: Decimal | undefined;
}

const file = loadData<{ chips: ChipEntry[] }>('chips.json');

const catalog = new Map<string, Chip>(
  file.chips.map((c) => {
    const { tpp, rate } = highestTpp(c.rates);
    return [c.id, { ...c, tpp, tppRate: rate, pd: c.dieAreaMm2 ? performanceDensity(tpp, c.dieAreaMm2) : undefined }];
  }),
);

export function isKnownChip(id: string): boolean {
  return catalog.has(id);
}

export function chip(id: string): Chip {
  const c = catalog.get(id);
  if (!c) throw new Error(`unknown chip model ${id}`);
  return c;
}

export function allChips(): Chip[] {
  return [...catalog.values()];
}
