/**
 * ECCN 3A090.c (15 CFR part 774, Supp. 1), added by 89 FR 96790 from 2024-12-02 and left unchanged
 * by the AI Diffusion rule: high bandwidth memory with a 'memory bandwidth density' greater than
 * 2 GB/s per mm². Memory bandwidth density is the bandwidth (GB/s) divided by the area of the
 * package or stack (mm²); a stack in a package uses the packaged device's bandwidth and area. Not
 * covered: co-packaged ICs with memory and logic whose dominant function is processing.
 * Comparisons are exact: "MBD > 2" is tested as bandwidth > 2 × area, with no division.
 */
import type { Step } from '../../contract/determination.js';
import { Decimal, dec, formatExact } from '../../compute/exact.js';
import { T3A090C } from '../../data/parameters.js';
import { NONE, type Missing, type Tri } from '../../engine/logic.js';

export const CITE_3A090C = 'ECCN 3A090.c and its Technical Note';

/** What is known of an HBM item's memory bandwidth density. */
export interface Mbd {
  bandwidth?: Decimal;
  area?: Decimal;
  density?: Decimal;
}

/** MBD compared with x: 1 above, 0 equal, -1 below, undefined when unknown. Exact. */
export function compareMbd(m: Mbd | undefined, x: Decimal): -1 | 0 | 1 | undefined {
  if (!m) return undefined;
  if (m.bandwidth !== undefined && m.area !== undefined) return m.bandwidth.cmp(x.times(m.area)) as -1 | 0 | 1;
  if (m.density !== undefined) return m.density.cmp(x) as -1 | 0 | 1;
  return undefined;
}

export function mbdText(m: Mbd | undefined): string {
  if (!m) return 'unknown';
  if (m.bandwidth !== undefined && m.area !== undefined) return `${formatExact(m.bandwidth)} GB/s ÷ ${formatExact(m.area)} mm²`;
  return m.density !== undefined ? `${formatExact(m.density)} GB/s per mm²` : 'unknown';
}

export interface HbmClassification { candidates: (string | null)[]; missing: Missing[]; basis: Step[] }

export function classifyHbm(item: { memoryBandwidthGBps?: number; packageAreaMm2?: number; memoryBandwidthDensity?: number; coPackagedForProcessing?: boolean; name?: string }, asOf: string): HbmClassification & { mbd: Mbd } {
  const mbd: Mbd = item.memoryBandwidthGBps !== undefined && item.packageAreaMm2 !== undefined
    ? { bandwidth: dec(item.memoryBandwidthGBps), area: dec(item.packageAreaMm2) }
    : item.memoryBandwidthDensity !== undefined ? { density: dec(item.memoryBandwidthDensity) } : {};
  const label = item.name ?? 'the memory';
  if (asOf < T3A090C.from) {
    return { mbd, candidates: [null], missing: NONE as Missing[], basis: [{ rule: 'ECCN 3A090.c', citation: CITE_3A090C, result: 'not in force', detail: `3A090.c applies from ${T3A090C.from} (89 FR 96790).` }] };
  }
  const above: Tri = (() => {
    const c = compareMbd(mbd, T3A090C.mbdAbove);
    return c === undefined ? undefined : c > 0;
  })();
  const processing = item.coPackagedForProcessing;
  // An 'hbm' item describes memory: only a stated co-packaged processor is outside the entry.
  const controlled: Tri = processing === true ? false : above;
  const missing: Missing[] = [];
  if (above === undefined && processing !== true) missing.push({ path: 'item.memoryBandwidthDensity', why: `3A090.c controls high bandwidth memory whose memory bandwidth density exceeds ${formatExact(T3A090C.mbdAbove)} GB/s per mm² (or give memoryBandwidthGBps and packageAreaMm2)` });
  const result = controlled === undefined ? '3A090.c or not controlled' : controlled ? '3A090.c' : 'not 3A090.c';
  const detail = processing === true
    ? `${label} is co-packaged with a logic IC whose dominant function is processing: the Technical Note to 3A090.c excludes it.`
    : `Memory bandwidth density of ${label}: ${mbdText(mbd)}; 3A090.c takes more than ${formatExact(T3A090C.mbdAbove)} GB/s per mm².`;
  return { mbd, candidates: controlled === undefined ? ['3A090.c', null] : [controlled ? '3A090.c' : null], missing: controlled === undefined ? missing : (NONE as Missing[]), basis: [{ rule: 'ECCN 3A090.c', citation: CITE_3A090C, result, detail }] };
}
