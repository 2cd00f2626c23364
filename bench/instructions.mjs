// Driven by bench/instructions.sh (not run alone): warms up over the bench corpus, signals, waits
// while the counters are zeroed, runs N determinations, signals, waits while they are dumped. The
// waits sleep (Atomics.wait) so that they add next to no instructions.
import { existsSync, writeFileSync } from 'node:fs';
import { corpus } from './corpus.mjs';

const [dist, mode, n, signals] = process.argv.slice(2);
const { determine, parseTransaction } = await import(new URL(`../${dist}/index.js`, import.meta.url).href);
const txs = corpus(2000).map((t) => parseTransaction(t));
const opts = mode === 'lean' ? { explain: false } : undefined;
for (let i = 0; i < Number(process.env.WARM ?? 8000); i++) determine(txs[i % txs.length], opts);
const cell = new Int32Array(new SharedArrayBuffer(4));
const wait = (file) => { while (!existsSync(file)) Atomics.wait(cell, 0, 0, 50); };
writeFileSync(`${signals}/warm`, '');
wait(`${signals}/go`);
for (let i = 0; i < Number(n); i++) determine(txs[i % txs.length], opts);
writeFileSync(`${signals}/done`, '');
wait(`${signals}/exit`);
