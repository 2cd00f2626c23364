// npm run bench: determinations per second on one thread over a mixed corpus, with the full
// default output and with the lean output (no explanation) used for bulk screening.
import { check, determine, parseTransaction } from '../dist/index.js';
import { corpus } from './corpus.mjs';

const txs = corpus(2000).map((t) => parseTransaction(t));
const raw = corpus(2000);

function measure(label, fn, seconds = Number(process.env.BENCH_SECONDS ?? 3)) {
  for (let i = 0; i < 2000; i++) fn(i); // warm-up
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    for (let k = 0; k < 200; k++) fn(n++);
  }
  const rate = n / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(58)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} /s`);
  return rate;
}

console.log(`node ${process.version}, ${txs.length} transactions (ICs, servers, weights, IaaS training), one thread`);
const full = measure('determine, full default output', (i) => determine(txs[i % txs.length]));
const lean = measure('determine, lean output (no explanation)', (i) => determine(txs[i % txs.length], { explain: false }));
measure('parse + determine + JSON.stringify, full output', (i) => JSON.stringify(check(raw[i % raw.length])));
measure('parse + determine + JSON.stringify, lean output', (i) => JSON.stringify(check(raw[i % raw.length], { explain: false })));
console.log(`targets: full ≥ 50,000/s (${full >= 50000 ? 'met' : 'NOT met'}), lean ≥ 200,000/s (${lean >= 200000 ? 'met' : 'NOT met'})`);
