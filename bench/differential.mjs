// node bench/differential.mjs <base dist> <new dist> [order lines]: every determination of the
// screening order book (bench/order-transactions.mjs, with its ledger views) and of the bench
// corpus, made by two builds under five option sets (full; lean; enforced; lean enforced; a
// non-default reading), compared byte for byte with the ruleset version masked (a hash of the
// sources: it changes with any source change). Both builds see the same calls in the same order,
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
let compared = 0;
let identical = 0;
for (const { tx, ledger } of inputs) {
  for (const o of OPTIONS) {
    const opts = ledger ? { ...o, ledger } : o;
    const [a, b] = builds.map(({ determine }) => JSON.stringify(determine(tx, opts)).replace(VERSION, ''));
    compared++;
    if (a === b) identical++;
    else if (compared - identical <= 3) console.error(`differs: ${JSON.stringify(tx)} ${JSON.stringify(opts)}\n  base: ${a.slice(0, 400)}\n  new:  ${b.slice(0, 400)}`);
  }
}
console.log(`${compared} determinations compared (${inputs.length} transactions × ${OPTIONS.length} option sets), ${identical} identical`);
process.exit(compared === identical ? 0 : 1);
