// A mixed, deterministic corpus of transactions for the benchmarks: ICs (catalog and specs),
// servers, model weights and IaaS training runs across tiers, dates and party structures.
const COUNTRIES = ['US', 'DE', 'JP', 'TW', 'GB', 'FR', 'IL', 'IN', 'BR', 'AE', 'SA', 'VN', 'MY', 'SG', 'MX', 'CN', 'HK', 'MO', 'RU'];
const DESTINATIONS = COUNTRIES.filter((c) => c !== 'US');
const CHIPS = ['nvidia-h100-sxm', 'nvidia-a100-sxm', 'nvidia-h20', 'nvidia-l40s', 'nvidia-rtx-4090', 'amd-mi300x', 'nvidia-b200'];
const DATES = ['2025-06-02', '2025-11-20', '2026-03-01'];

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export function corpus(n = 2000, seed = 42) {
  const r = rng(seed);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const party = () => ({ name: 'Party', country: pick(COUNTRIES), headquarters: pick(COUNTRIES), ultimateParentHeadquarters: pick(COUNTRIES), sector: 'private' });
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    const to = pick(DESTINATIONS);
    const consignee = { ...party(), country: to };
    let item;
    if (kind === 0) item = r() < 0.7 ? { type: 'ic', model: pick(CHIPS) } : { type: 'ic', tpp: 1000 + Math.floor(r() * 20000), dieAreaMm2: 200 + Math.floor(r() * 800), datacenter: r() < 0.8 };
    else if (kind === 1) item = { type: 'computer', ics: [{ model: pick(CHIPS), count: 8 }] };
    else if (kind === 2) item = { type: 'model_weights', published: false, trainingOperations: `${1 + Math.floor(r() * 40) / 10}e${25 + Math.floor(r() * 2)}`, producedOutsideUS: false };
    else item = { type: 'iaas_training', trainingOperations: `${1 + Math.floor(r() * 40) / 10}e26` };
    out.push({ id: `tx-${i}`, date: pick(DATES), to, item, quantity: 1 + Math.floor(r() * 2000), consignee, endUses: [pick(['datacenter', 'ai_training', 'production'])] });
  }
  return out;
}
