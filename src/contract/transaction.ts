/**
 * The input side of the determination contract (docs/contract.md), as zod schemas.
 * Field names and enumerated values follow the contract exactly; fields the contract does not
 * list are additions (documented in the README) and are always optional.
 */
import { z } from 'zod';
import { isKnownCountry } from '../data/countries.js';
import { isKnownChip } from '../data/chips.js';
import { isUnitedStates } from '../data/country-groups.js';
import { SUPP8_IDS } from '../data/supp8.js';
import { exactRangeProblem } from '../compute/exact.js';

/** ISO 3166-1 alpha-2, upper-cased on the way in; unknown codes are rejected with the field path. */
export const CountryCode = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine(isKnownCountry, { message: 'not an ISO 3166-1 alpha-2 country code' });

/** A calendar date as YYYY-MM-DD that exists (2025-02-30 is refused). */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');

const DECIMAL = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/**
 * A non-negative exact quantity (operations, TPP): a JSON number or a decimal string such as
 * "1.2e26". Kept as the string it was given so that no float ever stands between the user's
 * figure and a legal threshold.
 */
export const ExactNumber = z
  .union([z.number(), z.string().trim()])
  .transform((v, ctx) => {
    const s = typeof v === 'number' ? numberToDecimalString(v) : v;
    if (s === null || !DECIMAL.test(s)) {
      ctx.addIssue({ code: 'custom', message: 'expected a non-negative finite number or decimal string such as "1.2e26"' });
      return z.NEVER;
    }
    // Never Infinity, never a silently rounded figure: beyond the exact range is refused here, at its path.
    const range = exactRangeProblem(s);
    if (range) {
      ctx.addIssue({ code: 'custom', message: range });
      return z.NEVER;
    }
    return s.replace(/^\+/, '');
  });

function numberToDecimalString(n: number): string | null {
  if (!Number.isFinite(n) || n < 0) return null;
  return String(n);
}

const PositiveFinite = z.number().finite().positive();
/** A TPP figure: a JSON number or a decimal string alike ("16000"), kept exact, greater than zero. */
const PositiveTpp = ExactNumber.refine((s) => /[1-9]/.test(s.split(/[eE]/)[0]!), { message: 'expected a TPP greater than zero' });
const NonNegativeFinite = z.number().finite().nonnegative();

export const Party = z.strictObject({
  name: z.string().max(500).optional(),
  /** Stable identifier for ledgers (LPP per ultimate consignee, AIA cumulative TPP). */
  id: z.string().max(200).optional(),
  country: CountryCode.optional(),
  headquarters: CountryCode.optional(),
  ultimateParentHeadquarters: CountryCode.optional(),
  /** Identifier of the ultimate parent entity (LPP's ultimate consignee under INT-7). */
  ultimateParentId: z.string().max(200).optional(),
  sector: z.enum(['private', 'government']).optional(),
  veu: z.enum(['UVEU', 'NVEU']).optional(),
});
export type Party = z.infer<typeof Party>;

const ChipModel = z.string().refine(isKnownChip, { message: 'unknown chip model (see `aidr chips`)' });

/** The three ways of describing one IC: a catalog model, a TPP from specs, or TOPS × bit length. */
const icDescription = {
  model: ChipModel.optional(),
  tpp: PositiveTpp.optional(),
  tops: PositiveFinite.optional(),
  bitLength: z.number().int().positive().max(1024).optional(),
  dieAreaMm2: PositiveFinite.optional(),
  datacenter: z.boolean().optional(),
  name: z.string().max(200).optional(),
  /** Total DRAM bandwidth of the IC in GB/s (91 FR 1684's 6,500 GB/s threshold): a datasheet figure when no catalog part is named. */
  dramBandwidthGBs: PositiveFinite.optional(),
};

function oneIcDescription(v: { model?: unknown; tpp?: unknown; tops?: unknown; bitLength?: unknown }, ctx: z.RefinementCtx) {
  const forms = [v.model !== undefined, v.tpp !== undefined, v.tops !== undefined].filter(Boolean).length;
  if (forms !== 1) {
    ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of: model, tpp, or tops with bitLength' });
  } else if ((v.tops === undefined) !== (v.bitLength === undefined)) {
    ctx.addIssue({ code: 'custom', path: [v.tops === undefined ? 'tops' : 'bitLength'], message: 'tops and bitLength go together' });
  } else if (v.model !== undefined && Object.keys(v).some((k) => k === 'dieAreaMm2' || k === 'datacenter' || k === 'dramBandwidthGBs')) {
    ctx.addIssue({ code: 'custom', path: ['model'], message: 'a catalog model carries its own die area, datacenter flag and DRAM bandwidth; give specs instead of a model to override them' });
  }
}

/** Hardware origin facts for reexports and transfers (15 CFR 734.3, 734.9(h)). */
const HardwareOrigin = {
  producedOutsideUS: z.boolean().optional(),
  /** Meets the product scope of the advanced computing FDP rule, 15 CFR 734.9(h)(1). */
  foreignDirectProduct: z.boolean().optional(),
  /**
   * A foreign-produced item outside the foreign direct product rules incorporates (or is commingled
   * with) controlled U.S.-origin content above the de minimis level of 15 CFR 734.4, which makes it
   * subject to the EAR (734.3(a)(3)-(4)). aidr does not compute de minimis: without this fact such
   * an item's jurisdiction is unknown.
   */
  usContentAboveDeMinimis: z.boolean().optional(),
};

const IcItem = z.strictObject({ type: z.literal('ic'), ...icDescription, ...HardwareOrigin }).superRefine(oneIcDescription);

const ComputerIc = z
  .strictObject({ ...icDescription, count: z.number().int().positive().max(1_000_000) })
  .superRefine(oneIcDescription);

const ComputerItem = z.strictObject({
  type: z.literal('computer'),
  name: z.string().max(200).optional(),
  ics: z.array(ComputerIc).min(1).max(64),
  /** The computer itself is designed or marketed for datacenters (740.8(a)); absent: inferred from its 3A090.a ICs. */
  datacenter: z.boolean().optional(),
  ...HardwareOrigin,
});

/** Synthetic training data from one data-generation model (4E091 Technical Note 3). */
const SyntheticDataSource = z.strictObject({
  name: z.string().max(200).optional(),
  /** Share of the model's training operations spent on this generator's data, 0..1. */
  shareOfOperations: z.number().min(0).max(1),
  dataPublished: z.boolean().optional(),
  generationOperations: ExactNumber.optional(),
  generatorPublished: z.boolean().optional(),
  generatorTrainingOperations: ExactNumber.optional(),
});

const TrainingFacts = {
  trainingOperations: ExactNumber.optional(),
  parameters: ExactNumber.optional(),
  trainingTokens: ExactNumber.optional(),
  derivedFrom: z
    .strictObject({ published: z.boolean().optional(), trainingOperations: ExactNumber.optional(), name: z.string().max(200).optional() })
    .optional(),
  additionalOperations: ExactNumber.optional(),
  syntheticData: z.array(SyntheticDataSource).max(32).optional(),
  /** Result of a Note 2 self-classification (BIS guidance / AISI-DOE opinion) or a CCATS under 748.3(f). */
  note2Excluded: z.boolean().optional(),
  /** Note 2's number of operations, where BIS guidance, an AISI/DOE opinion or a CCATS gives it. */
  note2Operations: ExactNumber.optional(),
  name: z.string().max(200).optional(),
};

const WeightsItem = z.strictObject({
  type: z.literal('model_weights'),
  published: z.boolean().optional(),
  ...TrainingFacts,
  trainedOnControlledComputing: z.boolean().optional(),
  producedOutsideUS: z.boolean().optional(),
  /** Foreign-produced weights commingled with controlled U.S.-origin technology above de minimis (15 CFR 734.4). */
  usContentAboveDeMinimis: z.boolean().optional(),
});

export const ECCNS = [
  '3A090.a', '3A090.b', '3A090.c', '4A090.a', '4A090.b', '4E091',
  '3A001.z.1.a', '3A001.z.2.a', '3A001.z.3.a', '3A001.z.4.a', '3A001.z.1.b', '3A001.z.2.b', '3A001.z.3.b', '3A001.z.4.b',
  '4A003.z.1.a', '4A003.z.2.a', '4A003.z.1.b', '4A003.z.2.b', '4A004.z.1', '4A004.z.2', '4A005.z.1', '4A005.z.2',
  '5A002.z.1.a', '5A002.z.2.a', '5A002.z.3.a', '5A002.z.4.a', '5A002.z.5.a',
  '5A002.z.1.b', '5A002.z.2.b', '5A002.z.3.b', '5A002.z.4.b', '5A002.z.5.b',
  '5A004.z.1.a', '5A004.z.2.a', '5A004.z.1.b', '5A004.z.2.b', '5A992.z.1', '5A992.z.2',
] as const;
export type Eccn = (typeof ECCNS)[number];

const EccnItem = z.strictObject({
  type: z.literal('eccn'),
  eccn: z.enum(ECCNS),
  tpp: PositiveTpp.optional(),
  performanceDensity: NonNegativeFinite.optional(),
  /** 3A090.c: 'memory bandwidth density' in GB/s per mm² (decides License Exception HBM's 740.25(c) limit). */
  memoryBandwidthDensity: NonNegativeFinite.optional(),
  datacenter: z.boolean().optional(),
  ...TrainingFacts,
  published: z.boolean().optional(),
  trainedOnControlledComputing: z.boolean().optional(),
  ...HardwareOrigin,
});

const IaasItem = z.strictObject({ type: z.literal('iaas_training'), ...TrainingFacts });

/**
 * High bandwidth memory (ECCN 3A090.c, from 2024-12-02): a stack or packaged memory device,
 * described by its 'memory bandwidth density' (GB/s per mm² of package or stack area) or by the
 * bandwidth and area it is computed from (Technical Note to 3A090.c).
 */
const HbmItem = z.strictObject({
  type: z.literal('hbm'),
  name: z.string().max(200).optional(),
  /** Memory bandwidth in GB/s (of the packaged device when the stack is in a package). */
  memoryBandwidthGBps: PositiveFinite.optional(),
  /** Area of the package or stack in mm². */
  packageAreaMm2: PositiveFinite.optional(),
  /** 'Memory bandwidth density' in GB/s per mm², when given directly. */
  memoryBandwidthDensity: NonNegativeFinite.optional(),
  /** Co-packaged with a logic IC and the package's dominant function is processing: outside 3A090.c. */
  coPackagedForProcessing: z.boolean().optional(),
  ...HardwareOrigin,
}).superRefine((v, ctx) => {
  const computed = v.memoryBandwidthGBps !== undefined || v.packageAreaMm2 !== undefined;
  if (computed && v.memoryBandwidthDensity !== undefined) ctx.addIssue({ code: 'custom', path: ['memoryBandwidthDensity'], message: 'give either memoryBandwidthDensity or memoryBandwidthGBps with packageAreaMm2, not both' });
  else if (computed && (v.memoryBandwidthGBps === undefined || v.packageAreaMm2 === undefined)) ctx.addIssue({ code: 'custom', path: [v.memoryBandwidthGBps === undefined ? 'memoryBandwidthGBps' : 'packageAreaMm2'], message: 'memoryBandwidthGBps and packageAreaMm2 go together' });
});

export const Item = z.discriminatedUnion('type', [IcItem, ComputerItem, WeightsItem, EccnItem, IaasItem, HbmItem]);
export type Item = z.infer<typeof Item>;

export const END_USES = ['datacenter', 'ai_training', 'iaas', 'development', 'production', 'storage', 'resale', 'other'] as const;
export const ACTIVITIES = ['export', 'reexport', 'transfer', 'deemed_export', 'deemed_reexport'] as const;

export const Facts = z.strictObject({
  storageMeetsSupp10Security: z.boolean().optional(),
  permanentRegularEmployee: z.boolean().optional(),
  part744Concern: z.boolean().optional(),
  /** ACM: the items are ultimately destined to customers in Macau or Country Group D:5. */
  ultimateCustomersInMacauOrD5: z.boolean().optional(),
  /** License Exception HBM, 15 CFR 740.25(c)(1): the 3A090.c items are bought directly by the designer of the co-packaged commodity. */
  hbmBoughtByCoPackageDesigner: z.boolean().optional(),
  /**
   * 740.25(c)(2), (d): the 3A090.c items are shipped directly to the packaging site. A freight forwarder
   * or customs clearance agent hired by the packaging site does not break this; any other
   * intermediate consignee (and any distributor, `viaDistributor`) does.
   */
  hbmShippedDirectToPackagingSite: z.boolean().optional(),
  /** 740.25(d): co-packaging takes place at a 'facility' in Macau or D:5 where advanced-node ICs are produced. */
  hbmPackagedAtAdvancedNodeFacility: z.boolean().optional(),
  /**
   * 91 FR 1684 (from 2026-01-15): the exporter's statements and certifications (Supp. No. 2 to part
   * 748, para. (dd)) for case-by-case review of an export from the U.S. to China or Macau. Each is
   * true, false or absent (unknown).
   */
  review1684: z.strictObject({
    /** The item was commercially available in the United States on 2026-01-15. */
    commerciallyAvailableInUs: z.boolean().optional(),
    /** U.S. supply is sufficient: no delay to U.S. orders, no diversion of foundry capacity. */
    usSupplySufficient: z.boolean().optional(),
    /** Aggregate shipments to China/Macau at most 50 % of those to U.S. end use ((dd)(1)(iii)). */
    shipmentsWithinHalfOfUs: z.boolean().optional(),
    /** The recipient's security procedures and know-your-customer screening against remote access ((dd)(1)(iv), (vii)). */
    recipientSecurityKyc: z.boolean().optional(),
    /** Every shipment tested by a qualified independent third-party lab in the U.S. ((dd)(3)). */
    thirdPartyTestedInUs: z.boolean().optional(),
  }).optional(),
  /**
   * 91 FR 43034 (from 2026-07-10): the UAE party's entry in Supp. No. 8 to part 740 (an id from
   * data/supp8-740.json, e.g. "g42", "microsoft"), or "none" when it is not listed; absent = unknown.
   */
  supp8Entity: z.string().refine((id) => id === 'none' || SUPP8_IDS.includes(id), { message: `one of: none, ${SUPP8_IDS.join(', ')}` }).optional(),
});

export const Transaction = z.strictObject({
  id: z.string().max(200).optional(),
  date: IsoDate.optional(),
  activity: z.enum(ACTIVITIES).optional(),
  from: CountryCode.optional(),
  to: CountryCode.optional(),
  item: Item,
  quantity: z.number().int().positive().max(10_000_000).optional(),
  consignee: Party.optional(),
  endUser: Party.optional(),
  /** The exporter, reexporter or transferor (its headquarters decide License Exception HBM, 740.25(b)). */
  exporter: Party.optional(),
  endUses: z.array(z.enum(END_USES)).max(END_USES.length).optional(),
  viaDistributor: z.boolean().optional(),
  facts: Facts.optional(),
}).superRefine((tx, ctx) => {
  // Checked even when other fields are invalid (`when`), so that an invalid transaction is told every
  // field it lacks at once: the value may then be any object, its item anything.
  const item: unknown = (tx as { item?: unknown }).item;
  const isService = item !== null && typeof item === 'object' && (item as { type?: unknown }).type === 'iaas_training';
  if (!isService && tx.to === undefined) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'required: the destination country (ISO alpha-2)' });
  }
}, { when: (payload) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value) }).superRefine((tx, ctx) => {
  const isService = tx.item.type === 'iaas_training';
  const activity = tx.activity ?? 'export';
  if (isService) return;
  // The United States of the EAR includes Puerto Rico and the territories and possessions (772.1).
  if ((activity === 'export' || activity === 'deemed_export') && tx.from !== undefined && !isUnitedStates(tx.from)) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `an ${activity} starts in the United States; use "reexport" or "deemed_reexport" for a shipment or release from ${tx.from}` });
  }
  if ((activity === 'reexport' || activity === 'deemed_reexport') && tx.from !== undefined && isUnitedStates(tx.from)) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: `a ${activity} starts outside the United States; use "export" or "deemed_export" for a shipment or release from the US` });
  }
  if ((activity === 'export' || activity === 'reexport') && tx.to !== undefined && (tx.from ?? (activity === 'export' ? 'US' : undefined)) === tx.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `an ${activity} crosses a border: to must differ from from (use "transfer" for a change of end user within one country)` });
  }
  if ((activity === 'export' || activity === 'deemed_export') && tx.to !== undefined && isUnitedStates(tx.to) && (tx.from ?? 'US') !== tx.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `${tx.to} is part of the United States for the EAR (15 CFR 772.1: the States, the District of Columbia, Puerto Rico and all territories, dependencies and possessions): a shipment there from the United States is not an export` });
  }
  // Activities the EAR defines away are refused, never answered "license required" (734.14(a)).
  if (activity === 'reexport' && tx.to !== undefined && isUnitedStates(tx.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'a shipment into the United States is not a reexport: 15 CFR 734.14(a)(1) defines a reexport as a shipment from one foreign country to another; the EAR has no reexport license for it (the item\'s later export from the United States needs its own determination)' });
  }
  if (activity === 'deemed_reexport' && tx.from !== undefined && tx.to !== undefined && tx.from === tx.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `a release in ${tx.from} to a national of ${tx.to} is not a deemed reexport: 15 CFR 734.14(a)(2) covers only releases to a foreign person of a country other than the one where the release takes place` });
  }
  if ((activity === 'deemed_export' || activity === 'deemed_reexport') && tx.to !== undefined && isUnitedStates(tx.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'a deemed export or reexport is a release to a foreign person: give their most recent citizenship or permanent residency' });
  }
  if (activity === 'transfer' && tx.from !== undefined && tx.to !== undefined && tx.from !== tx.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'a transfer (in-country) stays in one country: from and to must be the same' });
  }
  const isTechnology = tx.item.type === 'model_weights' || (tx.item.type === 'eccn' && tx.item.eccn === '4E091');
  // A commodity shipped to `to` is received there: a consignee stated to be located elsewhere is
  // inconsistent input (refused, not guessed). Technology may be received where the consignee is,
  // so weights are evaluated against both places instead.
  const consigneeCountry = tx.consignee?.country;
  if (!isTechnology && (activity === 'export' || activity === 'reexport' || activity === 'transfer') && consigneeCountry !== undefined && tx.to !== undefined && consigneeCountry !== tx.to && isKnownCountry(tx.to) && isKnownCountry(consigneeCountry)) {
    ctx.addIssue({ code: 'custom', path: ['consignee', 'country'], message: `the consignee receives the shipment where it goes: consignee.country (${consigneeCountry}) must be the destination to (${tx.to}); an importer in ${tx.to} buying for an end user elsewhere is the consignee, and the end user goes in endUser with its own country` });
  }
  if ((activity === 'deemed_export' || activity === 'deemed_reexport') && !isTechnology) {
    ctx.addIssue({ code: 'custom', path: ['activity'], message: 'deemed exports and reexports release technology or software (e.g. model weights), not commodities' });
  }
});
export type Transaction = z.infer<typeof Transaction>;
/** The transaction as written by a user, before defaults and normalisation. */
export type TransactionInput = z.input<typeof Transaction>;

/** Either one transaction or an array of them (the CLI and the HTTP API accept both). */
export const TransactionOrBatch = z.union([Transaction, z.array(Transaction).min(1)]);
