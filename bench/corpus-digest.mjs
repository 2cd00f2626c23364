// node bench/corpus-digest.mjs [out.txt]: a digest of the determinations of the bench corpus (full
// and lean, both regimes chosen, INT-45 read both ways), to check that a performance change leaves
// every answer byte-identical: run it on the build before and after (`npx tsc -p tsconfig.build.json`)
// and compare the digests (or the written files). The ruleset version, a hash of the sources, is
// masked: it changes with any source change.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { determine, parseTransaction } from '../dist/index.js';
import { corpus } from './corpus.mjs';

const VERSION = /"version":"[^"]*"/g;
const OPTIONS = [
  undefined,
  { explain: false },
  { regime: 'enforced', explain: false },
  { regime: 'enforced', interpretations: { 'INT-45': 'as_written' } },
];
const hash = createHash('sha256');
const lines = [];
for (const raw of corpus(2000)) {
  const tx = parseTransaction(raw);
  for (const opts of OPTIONS) {
    const line = JSON.stringify(determine(tx, opts)).replace(VERSION, '');
    hash.update(line);
    hash.update('\n');
    if (process.argv[2]) lines.push(line);
  }
}
if (process.argv[2]) writeFileSync(process.argv[2], `${lines.join('\n')}\n`);
console.log(hash.digest('hex'));
