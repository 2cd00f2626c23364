/**
 * Generated transactions for the property tests (fast-check): every item type, parties with and
 * without headquarters, activities, places and the facts exceptions turn on.
 */
import fc from 'fast-check';

export const COUNTRIES = ['US', 'DE', 'JP', 'TW', 'GB', 'FR', 'KR', 'IL', 'IN', 'BR', 'AE', 'SA', 'VN', 'MY', 'SG', 'MX', 'CH', 'PT', 'CN', 'HK', 'MO', 'RU', 'IR', 'CY', 'NI', 'KH'];
export const DATES = ['2025-01-10', '2025-03-01', '2025-06-02', '2025-11-20', '2026-01-14', '2026-01-15', '2026-03-01', '2026-11-23'];
export const CHIPS = ['nvidia-h100-sxm', 'nvidia-a100-sxm', 'nvidia-h20', 'nvidia-l40s', 'nvidia-rtx-4090', 'nvidia-rtx-4090d', 'amd-mi300x', 'nvidia-l4'];

export const country = fc.constantFrom(...COUNTRIES);
export const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const opsString = fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 23, max: 27 })).map(([m, e]) => `${m / 10}e${e}`);

export const party = fc.record({
  country: maybe(country),
  headquarters: maybe(country),
  ultimateParentHeadquarters: maybe(country),
  sector: maybe(fc.constantFrom('private' as const, 'government' as const)),
});

const icItem = fc.oneof(
  fc.record({ type: fc.constant('ic' as const), model: fc.constantFrom(...CHIPS) }),
  fc.record({
    type: fc.constant('ic' as const),
    tpp: fc.integer({ min: 1000, max: 40000 }),
    dieAreaMm2: maybe(fc.integer({ min: 100, max: 2000 })),
    datacenter: maybe(fc.boolean()),
  }),
);
export const computerItem = fc.record({
  type: fc.constant('computer' as const),
  ics: fc.array(fc.record({ model: fc.constantFrom(...CHIPS), count: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 3 }),
});
const weightsItem = fc.record({
  type: fc.constant('model_weights' as const),
  published: maybe(fc.boolean()),
  trainingOperations: maybe(opsString),
  derivedFrom: maybe(fc.record({ published: maybe(fc.boolean()), trainingOperations: maybe(opsString) })),
  additionalOperations: maybe(opsString),
  producedOutsideUS: maybe(fc.boolean()),
  trainedOnControlledComputing: maybe(fc.boolean()),
});
const iaasItem = fc.record({ type: fc.constant('iaas_training' as const), trainingOperations: maybe(opsString) });
const hbmItem = fc.record({ type: fc.constant('hbm' as const), memoryBandwidthDensity: maybe(fc.constantFrom(1.5, 2, 2.5, 3.29, 3.3, 4)) });

export const transaction = fc
  .record({
    date: fc.constantFrom(...DATES),
    to: country,
    item: fc.oneof(icItem, icItem, computerItem, weightsItem, iaasItem, hbmItem),
    exporter: maybe(fc.record({ headquarters: maybe(country), ultimateParentHeadquarters: maybe(country) })),
    quantity: fc.integer({ min: 1, max: 5000 }),
    consignee: party,
    endUser: maybe(party),
    endUses: maybe(fc.subarray(['datacenter', 'ai_training', 'iaas', 'development', 'production', 'storage', 'resale', 'other'] as const)),
    viaDistributor: maybe(fc.boolean()),
    activityPick: fc.constantFrom('export', 'reexport', 'transfer', 'deemed_export', 'deemed_reexport'),
    from: country,
    facts: fc.record({
      storageMeetsSupp10Security: maybe(fc.boolean()),
      permanentRegularEmployee: maybe(fc.boolean()),
      part744Concern: maybe(fc.boolean()),
      hbmBoughtByCoPackageDesigner: maybe(fc.boolean()),
      hbmShippedDirectToPackagingSite: maybe(fc.boolean()),
      hbmPackagedAtAdvancedNodeFacility: maybe(fc.boolean()),
    }),
  })
  .map(({ activityPick, from, ...t }) => {
    const tech = t.item.type === 'model_weights';
    let activity = activityPick;
    if (!tech && activity.startsWith('deemed')) activity = 'export';
    // A shipment or release to the United States can only be a transfer within it.
    if (t.to === 'US' && activity !== 'transfer') activity = 'transfer';
    const tx: Record<string, unknown> = { ...t, activity };
    // A commodity's consignee is located where the shipment goes (other places are refused input).
    if (!tech && t.consignee.country !== undefined) tx.consignee = { ...t.consignee, country: t.to };
    if (activity === 'export' || activity === 'deemed_export') tx.from = 'US';
    else if (activity === 'transfer') tx.from = t.to;
    else tx.from = from === 'US' || from === t.to ? (t.to === 'DE' ? 'FR' : 'DE') : from;
    return tx;
  });
