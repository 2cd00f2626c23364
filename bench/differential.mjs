// node bench/differential.mjs <base dist> <new dist> [order lines]: every determination of the
// screening order book (bench/order-transactions.mjs, with its ledger views) and of the bench
// corpus, made by two builds under five option sets (full; lean; enforced; lean enforced; a
// non-default reading), compared byte for byte with the ruleset version masked (a hash of the
// sources: it changes with any source change); then 600 of them again on dates across the rule's
// history (before the first vintage, before compliance, after coverage…) with `asOf`, full and lean
// enforced. Both builds see the same calls in the same order,
// so that caches filled by earlier transactions are exercised alike. Exits 1 on a difference.
import { corpus } from './corpus.mjs';
import { orderTransactions } from './order-transactions.mjs';

const [baseDist, newDist, lines = '12000'] = process.argv.slice(2);
const load = (dist) => import(new URL(`../${dist}/index.js`, import.meta.url).href);
const builds = [await load(baseDist), await load(newDist)];
const VERSION = /"version":"[^"]*"/g;
const OPTIONS = [
  {},
  { explain: false },
  { regime: 'enforced' },
  { regime: 'enforced', explain: false },
  { interpretations: { 'INT-7': 'owner', 'INT-14': 'allocation' } },
];
const inputs = [
  ...(await orderTransactions(baseDist, Number(lines))),
  ...corpus(2000).map((t) => ({ tx: builds[0].parseTransaction(t), ledger: undefined })),
];
const DATES = ['2023-06-01', '2023-11-17', '2024-04-04', '2024-12-02', '2025-01-13', '2025-03-01', '2025-05-15', '2025-05-20', '2026-01-15', '2026-07-10', '2027-06-01', '2028-02-01'];
const dated = [...inputs.slice(0, 300), ...inputs.slice(-300)];
const runs = [
  ...inputs.map((input) => ({ ...input, options: OPTIONS })),
  ...dated.map((input) => ({ ...input, options: DATES.flatMap((asOf) => [{ asOf }, { asOf, explain: false, regime: 'enforced' }]) })),
];
let compared = 0;
let identical = 0;
for (const { tx, ledger, options } of runs) {
  for (const o of options) {
    const opts = ledger ? { ...o, ledger } : o;
    const [a, b] = builds.map(({ determine }) => JSON.stringify(determine(tx, opts)).replace(VERSION, ''));
    compared++;
    if (a === b) identical++;
    else if (compared - identical <= 3) console.error(`differs: ${JSON.stringify(tx)} ${JSON.stringify(opts)}\n  base: ${a.slice(0, 400)}\n  new:  ${b.slice(0, 400)}`);
  }
}
console.log(`${compared} determinations compared (${inputs.length} transactions × ${OPTIONS.length} option sets, ${dated.length} × ${DATES.length} dates × 2), ${identical} identical`);
process.exit(compared === identical ? 0 : 1);
