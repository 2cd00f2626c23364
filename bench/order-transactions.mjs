// The screening order book (bench/orders.mjs) as the engine receives it from `aidr screen`: each
// line split into cells and mapped by the screening code of the build given (`screen/row.js`
// `mapRow` with `mapColumns` of the header, as src/screen/screener.ts does), with a ledger view
// on some lines (as src/screen/evaluate.ts builds it: figures as exact decimal strings) so that
// the LPP, AIA and allocation paths run. Lines the screening code rejects are left out.
import { HEADER, orderLines } from './orders.mjs';

/** The order book's cells: fields separated by commas, a quoted field holds no comma or quote. */
function cells(line) {
  return line.replace(/\n$/, '').split(',').map((c) => (c.startsWith('"') && c.endsWith('"') ? c.slice(1, -1) : c));
}

/** A deterministic ledger view for line i (undefined on most lines, as for a first shipment). */
function ledgerView(i) {
  switch (i % 8) {
    case 1: return { lppUsedTpp: `${(i * 7919) % 30_000_000}`, lppUsedTppByReading: { ultimate_parent: `${(i * 7919) % 30_000_000}`, owner: `${(i * 104_729) % 20_000_000}.5` } };
    case 3: return { lppUsedTpp: '26900000', aiaCumulativeTpp: `${(i * 31) % 500_000}` };
    case 5: return { countryLicensedTpp: `${(i * 1_000_003) % 800_000_000}` };
    default: return undefined;
  }
}

/** N order-book transactions as [{ tx, ledger }] (ledger undefined when the line has none). */
export async function orderTransactions(dist, n, seed = 7) {
  const base = new URL(`../${dist}/`, import.meta.url).href;
  const { mapRow } = await import(`${base}screen/row.js`);
  const { mapColumns } = await import(`${base}screen/columns.js`);
  const columns = mapColumns(HEADER.split(','));
  const out = [];
  let i = 0;
  for (const line of orderLines(n, seed)) {
    i++;
    const m = mapRow(i + 1, cells(line), columns);
    if (m.tx) out.push({ tx: m.tx, ledger: ledgerView(i) });
  }
  return out;
}
