// Driven by bench/instructions.sh (not run alone): warms up over the bench corpus (INPUT=orders: over
// the screening order book, bench/order-transactions.mjs, with its ledger views), signals, waits
// while the counters are zeroed, runs N determinations, signals, waits while they are dumped. The
// waits sleep (Atomics.wait) so that they add next to no instructions.
import { existsSync, writeFileSync } from 'node:fs';
import { corpus } from './corpus.mjs';
import { orderTransactions } from './order-transactions.mjs';

const [dist, mode, n, signals] = process.argv.slice(2);
const { determine, parseTransaction } = await import(new URL(`../${dist}/index.js`, import.meta.url).href);
const inputs = process.env.INPUT === 'orders'
  ? await orderTransactions(dist, 2000)
  : corpus(2000).map((t) => ({ tx: parseTransaction(t), ledger: undefined }));
const base = mode === 'lean' ? { explain: false } : {};
// The options of each input made once, outside the counted loop.
const txs = inputs.map(({ tx, ledger }) => ({ tx, opts: ledger ? { ...base, ledger } : base }));
const run = (i) => { const t = txs[i % txs.length]; determine(t.tx, t.opts); };
for (let i = 0; i < Number(process.env.WARM ?? 8000); i++) run(i);
const cell = new Int32Array(new SharedArrayBuffer(4));
const wait = (file) => { while (!existsSync(file)) Atomics.wait(cell, 0, 0, 50); };
writeFileSync(`${signals}/warm`, '');
wait(`${signals}/go`);
for (let i = 0; i < Number(n); i++) run(i);
writeFileSync(`${signals}/done`, '');
wait(`${signals}/exit`);
