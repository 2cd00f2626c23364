/**
 * Classification of the item under the entries this rule touches (15 CFR part 774, Supp. 1):
 * 3A090 for ICs, 4A090 for computers, 4E091 for model weights (and for the model an IaaS
 * training run would produce), or an ECCN the user already determined.
 */
import type { Step } from '../../contract/determination.js';
import type { Item } from '../../contract/transaction.js';
import { Decimal, dec, formatExact, ZERO } from '../../compute/exact.js';
import { chip } from '../../data/chips.js';
import { DATES } from '../../data/ruleset.js';
import type { Ctx } from '../../engine/context.js';
import { NONE, type Missing, type Tri } from '../../engine/logic.js';
import { classifyIc, type IcSpec, type Paragraph } from './eccn-3a090.js';
import { computerParagraphs, CITE_4A090 } from './eccn-4a090.js';
import { classify4E091, type Interval, type WeightsClassification } from './eccn-4e091.js';
import { classifyHbm, type Mbd } from './eccn-3a090c.js';

export interface ItemClass {
  kind: 'hardware' | 'weights' | 'service';
  /** Every ECCN the item may have given what is known (null = none of these entries). */
  candidates: (string | null)[];
  tppPerUnit?: Decimal;
  pd?: Decimal;
  /** Designed or marketed for datacenters (for the NAC/ACA exclusion of datacenter .a items). */
  datacenter: Tri;
  operations?: Interval;
  weights?: WeightsClassification;
  /** 3A090.c: what is known of the memory bandwidth density (License Exception HBM's limit). */
  mbd?: Mbd;
  missing: Missing[];
  basis: Step[];
  /** Output figures, computed once per (cached) classification. */
  display?: { tppPerUnit?: number; performanceDensity?: number; trainingOperations?: string };
}

/** Hardware classification is a pure function of the item's specs: cache it by their key. */
const hardwareCache = new Map<string, ItemClass>();

function cachedHardware(key: string, classify: () => ItemClass): ItemClass {
  let c = hardwareCache.get(key);
  if (!c) {
    if (hardwareCache.size > 50_000) hardwareCache.clear();
    hardwareCache.set(key, (c = classify()));
  }
  return c;
}

/** An unknown datacenter flag that leaves the classification open (3A090 Note 1) is INT-13's case. */
function reliesOnDatacenter(cls: ItemClass, ctx: Ctx): ItemClass {
  if (cls.candidates.length > 1 && cls.missing.some((m) => m.path.endsWith('.datacenter'))) ctx.rely('INT-13');
  return cls;
}

export function classifyItem(item: Item, ctx: Ctx): ItemClass {
  switch (item.type) {
    case 'ic':
      return reliesOnDatacenter(cachedHardware(
        item.model ?? `${item.tpp}|${item.tops}|${item.bitLength}|${item.dieAreaMm2}|${item.datacenter}|${item.name}`,
        () => classifySingleIc(specOf(item, 'item')),
      ), ctx);
    case 'computer':
      return reliesOnDatacenter(cachedHardware(`${item.datacenter}|${JSON.stringify(item.ics)}`, () => classifyComputer(item)), ctx);
    case 'eccn':
      return classifyGiven(item, ctx);
    case 'hbm': {
      const h = classifyHbm(item, ctx.asOf);
      return { kind: 'hardware', candidates: h.candidates, datacenter: undefined, mbd: h.mbd, missing: h.missing, basis: h.basis };
    }
    case 'model_weights':
    case 'iaas_training':
      return classifyWeights(item, ctx, item.type === 'model_weights' ? 'weights' : 'service');
  }
}

type IcLike = { model?: string; tpp?: number | string; tops?: number; bitLength?: number; dieAreaMm2?: number; datacenter?: boolean; name?: string };

function specOf(ic: IcLike, path: string): IcSpec {
  if (ic.model !== undefined) {
    const c = chip(ic.model);
    return { tpp: c.tpp, area: c.dieAreaMm2 ? dec(c.dieAreaMm2) : undefined, datacenter: c.datacenter, path, label: `${c.vendor} ${c.name}` };
  }
  const tpp = ic.tpp !== undefined ? dec(ic.tpp) : dec(ic.tops!).times(ic.bitLength!);
  return {
    tpp,
    area: ic.dieAreaMm2 !== undefined ? dec(ic.dieAreaMm2) : undefined,
    datacenter: ic.datacenter,
    path,
    label: ic.name ?? (ic.tpp !== undefined ? `an IC with TPP ${ic.tpp}` : `an IC with ${ic.tops} TOPS at ${ic.bitLength} bits`),
  };
}

const eccnOfIc = (p: Paragraph) => (p === null ? null : `3A090.${p}`);

function classifySingleIc(spec: IcSpec): ItemClass {
  const c = classifyIc(spec);
  return {
    kind: 'hardware',
    candidates: c.candidates.map(eccnOfIc),
    tppPerUnit: spec.tpp,
    pd: c.pd,
    datacenter: spec.datacenter,
    missing: c.missing,
    basis: c.basis,
  };
}

function classifyComputer(item: Extract<Item, { type: 'computer' }>): ItemClass {
  const ics = item.ics.map((ic, i) => {
    const spec = specOf(ic, `item.ics[${i}]`);
    return { spec, count: ic.count, c: classifyIc(spec) };
  });
  const paragraphs = computerParagraphs(ics.map((x) => x.c.candidates));
  let tpp = ZERO;
  for (const x of ics) tpp = tpp.plus(x.spec.tpp.times(x.count));
  let pd: Decimal | undefined;
  for (const x of ics) if (x.c.pd && (!pd || x.c.pd.gt(pd))) pd = x.c.pd;
  // 740.8(a) asks whether the item, here the computer, is designed or marketed for datacenters.
  // Only what the user states about the computer decides: a datacenter IC can sit in a desktop
  // workstation, so the ICs inside say nothing about it, and unknown stays unknown (INT-13).
  const datacenter = item.datacenter;
  const basis: Step[] = ics.flatMap((x) => x.c.basis.map((s) => ({ ...s, rule: `${s.rule} (${x.spec.label})` })));
  basis.push({
    rule: 'ECCN 4A090 paragraph',
    citation: `${CITE_4A090.a}; ${CITE_4A090.b}; ${CITE_4A090.note3}`,
    result: paragraphs.map((p) => (p === null ? 'not 4A090' : `4A090.${p}`)).join(' or '),
    detail: `TPP per unit ${formatExact(tpp)}: the sum over ${ics.reduce((n, x) => n + x.count, 0)} ICs. A computer is 4A090.a (.b) when an IC in it meets 3A090.a (.b).`,
  });
  return {
    kind: 'hardware',
    candidates: paragraphs.map((p) => (p === null ? null : `4A090.${p}`)),
    tppPerUnit: tpp,
    pd,
    datacenter,
    missing: paragraphs.length > 1 ? ics.flatMap((x) => x.c.missing) : (NONE as Missing[]),
    basis,
  };
}

function classifyGiven(item: Extract<Item, { type: 'eccn' }>, ctx: Ctx): ItemClass {
  if (item.eccn === '4E091') {
    const w = classifyWeights(item, ctx, 'weights');
    // The user classified it; the weights facts still matter for publication and jurisdiction.
    return { ...w, candidates: item.published === true ? [null] : ['4E091'], missing: NONE as Missing[] };
  }
  return {
    kind: 'hardware',
    candidates: [item.eccn],
    tppPerUnit: item.tpp !== undefined ? dec(item.tpp) : undefined,
    pd: item.performanceDensity !== undefined ? dec(item.performanceDensity) : undefined,
    datacenter: item.datacenter ?? impliedDatacenter(item.eccn),
    mbd: item.memoryBandwidthDensity !== undefined ? { density: dec(item.memoryBandwidthDensity) } : undefined,
    missing: NONE as Missing[],
    basis: [{ rule: 'Classification as given', citation: `ECCN ${item.eccn}`, result: item.eccn, detail: 'The item was classified by the user; aidr applies the rule to that ECCN.' }],
  };
}

/**
 * Note 1 to 3A090.a/.b leaves a non-datacenter IC below 4800 TPP in neither, and one at or above
 * 4800 meets 3A090.a (TPP alone): an IC the user classified 3A090.b is therefore designed or
 * marketed for datacenters, which the NAC/ACA item rule and the review policy's datacenter
 * carve-out ask. Nothing is implied for any other ECCN.
 */
function impliedDatacenter(eccn: string): true | undefined {
  return eccn === '3A090.b' ? true : undefined;
}

/**
 * Weights classification depends on the training facts, the date (the published-model register)
 * and the readings of INT-1..3; bulk screening meets the same models again and again, so results
 * are cached with the interpretations they relied on, which a cache hit replays into the context.
 */
type WeightsEntry = { cls: ItemClass; touched: [string, string][] };
/** Nested maps keyed by each fact in turn: no key string is built on the way to a hit. */
type Trie = Map<unknown, Trie | WeightsEntry>;
const weightsCache: Trie = new Map();
let weightsCached = 0;

function weightsPath(item: Extract<Item, { type: 'model_weights' }>, kind: string, ctx: Ctx): unknown[] {
  const nested = item.derivedFrom || item.syntheticData ? JSON.stringify([item.derivedFrom, item.syntheticData]) : undefined;
  return [ctx.asOf, kind, ctx.explainOn, ctx.classificationReadings, item.published, item.trainingOperations, item.parameters, item.trainingTokens,
    item.additionalOperations, item.note2Excluded, item.note2Operations, nested];
}

/**
 * The common shape in bulk screening: a model given by its training operations alone. Looked up
 * by date and operations, then by the few flags left, without building any key.
 */
const simpleWeights = new Map<string, Map<string | undefined, (WeightsEntry & { kind: string; explain: boolean; readings: string; published: boolean | undefined })[]>>();

function isSimple(w: Extract<Item, { type: 'model_weights' }>): boolean {
  return w.parameters === undefined && w.trainingTokens === undefined && w.derivedFrom === undefined && w.additionalOperations === undefined &&
    w.syntheticData === undefined && w.note2Excluded === undefined && w.note2Operations === undefined;
}

function classifyWeights(item: Extract<Item, { type: 'model_weights' | 'iaas_training' | 'eccn' }>, ctx: Ctx, kind: 'weights' | 'service'): ItemClass {
  const w = item as Extract<Item, { type: 'model_weights' }>;
  if (isSimple(w)) {
    let byOps = simpleWeights.get(ctx.asOf);
    if (!byOps) {
      if (simpleWeights.size > 2_000) simpleWeights.clear();
      simpleWeights.set(ctx.asOf, (byOps = new Map()));
    }
    let entries = byOps.get(w.trainingOperations);
    if (!entries) byOps.set(w.trainingOperations, (entries = []));
    const readings = ctx.classificationReadings;
    const explain = ctx.explainOn;
    // A plain loop: a predicate closure would be allocated on every look-up.
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.kind !== kind || e.explain !== explain || e.readings !== readings || e.published !== w.published) continue;
      for (let j = 0; j < e.touched.length; j++) ctx.mark(e.touched[j]![0], e.touched[j]![1]);
      return e.cls;
    }
    const before = new Set(ctx.touched.keys());
    const cls = computeWeights(item, ctx, kind);
    entries.push({ cls, touched: [...ctx.touched].filter(([id]) => !before.has(id)), kind, explain: ctx.explainOn, readings, published: w.published });
    return cls;
  }
  const path = weightsPath(w, kind, ctx);
  let node: Trie = weightsCache;
  for (let i = 0; i < path.length - 1; i++) {
    let next = node.get(path[i]) as Trie | undefined;
    if (!next) node.set(path[i], (next = new Map()));
    node = next;
  }
  const last = path[path.length - 1];
  const hit = node.get(last) as WeightsEntry | undefined;
  if (hit) {
    for (const [id, reading] of hit.touched) ctx.mark(id, reading);
    return hit.cls;
  }
  const before = new Set(ctx.touched.keys());
  const cls = computeWeights(item, ctx, kind);
  if (++weightsCached > 20_000) {
    weightsCache.clear();
    weightsCached = 0;
  }
  node.set(last, { cls, touched: [...ctx.touched].filter(([id]) => !before.has(id)) });
  return cls;
}

/**
 * ECCN 4E091 was added to the CCL by 90 FR 4544 (effective 2025-01-13): before it no ECCN was
 * specific to model weights (they were typically EAR99 technology, an inference), whatever their size.
 */
function beforeEccn4E091(kind: 'weights' | 'service', ctx: Ctx): ItemClass {
  const basis: Step[] = ctx.explainOn ? [{ rule: 'ECCN 4E091', citation: 'ECCN 4E091 (added by 90 FR 4544)', result: 'not yet on the Commerce Control List', detail: `4E091 takes effect on ${DATES.effective}; on ${ctx.asOf} no ECCN was specific to AI model weights (typically EAR99 technology; part 744 end-use controls still apply).` }] : [];
  return { kind, candidates: [null], datacenter: undefined, missing: NONE as Missing[], basis };
}

function computeWeights(item: Extract<Item, { type: 'model_weights' | 'iaas_training' | 'eccn' }>, ctx: Ctx, kind: 'weights' | 'service'): ItemClass {
  // A model yet to be trained (IaaS, red flag 28) has no weights that could have been published
  // (15 CFR 734.7(a)): its weights are unpublished by nature, so publication is not asked.
  if (ctx.asOf < DATES.effective) return beforeEccn4E091(kind, ctx);
  const w = classify4E091(kind === 'service' ? { ...item, published: false } : item, ctx);
  const v = w.controlled.value;
  return {
    kind,
    candidates: v === undefined ? ['4E091', null] : v ? ['4E091'] : [null],
    datacenter: undefined,
    operations: w.operations,
    weights: w,
    missing: v === undefined ? w.controlled.missing : (NONE as Missing[]),
    basis: w.basis,
  };
}
