// Driven by bench/commit-instructions.sh (not run alone): C concurrent loops of commitTransaction
// (the bench:api commit: an AIA commit of examples/h100-germany.json for one consignee, so every
// group draws on one account), W commits of warm-up, signal, wait while the counters are zeroed, N
// commits, signal, wait while they are dumped. SQLite with background checkpoints, as `aidr serve`;
// PostgreSQL with DATABASE_URL (a schema of its own, dropped at the end).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const [root, conns, warm, n, signals] = process.argv.slice(2);
const L = await import(join(root, 'dist/ledger/index.js'));
const example = JSON.parse(readFileSync(new URL('../examples/h100-germany.json', import.meta.url), 'utf8'));
const tx = { ...example, consignee: { ...example.consignee, id: 'bench-consignee' } };
const pg = process.env.DATABASE_URL || undefined;
const schema = `aidr_instr_${randomBytes(4).toString('hex')}`;
const data = mkdtempSync(join(tmpdir(), 'aidr-commit-instr-'));
const store = await L.openStore(pg ? { databaseUrl: pg, schema, signingKey: join(data, 'signing.key') } : { dataDir: data, backgroundCheckpoints: true });
async function run(count) {
  let left = count;
  await Promise.all(Array.from({ length: Number(conns) }, async () => {
    while (left-- > 0) await L.commitTransaction(store, structuredClone(tx), {}, { actor: 'bench' });
  }));
}
const wait = async (file) => { while (!existsSync(file)) await new Promise((r) => setTimeout(r, 50)); };
await run(Number(warm));
writeFileSync(`${signals}/warm`, '');
await wait(`${signals}/go`);
await run(Number(n));
writeFileSync(`${signals}/done`, '');
await wait(`${signals}/exit`);
await store.close();
if (pg) {
  const { default: P } = await import('pg');
  const c = new P.Client({ connectionString: pg });
  await c.connect();
  await c.query(`drop schema ${schema} cascade`);
  await c.end();
}
rmSync(data, { recursive: true, force: true });
