/**
 * Spreadsheet rows (CSV or XLSX, one transaction a row) to Transactions. Columns (headers are
 * case-insensitive; unknown columns are ignored): id, date, activity, from, to, model (catalog id)
 * or tpp or tops+bits, die_area, datacenter, quantity, consignee_name, consignee_id,
 * consignee_country, consignee_hq, consignee_parent_hq, consignee_parent_id, sector,
 * end_uses (separated by | or ;), via_distributor, training_operations, published.
 * A cell that cannot be read (a word where a number goes) is kept as text: the service names the
 * field when it refuses the row.
 */
import type { Transaction } from '../api/types.js';

export type Row = Record<string, unknown>;

const norm = (k: string) => k.trim().toLowerCase().replace(/[\s-]+/g, '_');

function cell(row: Row, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = row[n];
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim();
  }
  return undefined;
}

const number = (s: string | undefined): number | string | undefined => (s === undefined ? undefined : Number.isFinite(Number(s.replace(/,/g, ''))) ? Number(s.replace(/,/g, '')) : s);
const bool = (s: string | undefined): boolean | string | undefined => (s === undefined ? undefined : /^(true|yes|y|1|x)$/i.test(s) ? true : /^(false|no|n|0)$/i.test(s) ? false : s);
const upper = (s: string | undefined) => s?.toUpperCase();

export function normalizeRow(raw: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(raw)) out[norm(k)] = v instanceof Date ? v.toISOString().slice(0, 10) : v;
  return out;
}

export function rowToTransaction(raw: Row): Transaction {
  const r = normalizeRow(raw);
  const model = cell(r, 'model', 'chip');
  const ops = cell(r, 'training_operations', 'operations');
  const item: Record<string, unknown> = ops !== undefined
    ? { type: 'model_weights', trainingOperations: ops, ...(bool(cell(r, 'published')) !== undefined ? { published: bool(cell(r, 'published')) } : {}) }
    : model !== undefined ? { type: 'ic', model }
      : cell(r, 'tpp') !== undefined ? { type: 'ic', tpp: number(cell(r, 'tpp')) }
        : { type: 'ic', tops: number(cell(r, 'tops')), bitLength: number(cell(r, 'bits', 'bit_length')) };
  if (item.type === 'ic' && model === undefined) {
    const area = number(cell(r, 'die_area', 'die_area_mm2'));
    const dc = bool(cell(r, 'datacenter'));
    if (area !== undefined) item.dieAreaMm2 = area;
    if (dc !== undefined) item.datacenter = dc;
  }
  const consignee: Record<string, unknown> = {};
  const put = (o: Record<string, unknown>, k: string, v: unknown) => { if (v !== undefined) o[k] = v; };
  put(consignee, 'name', cell(r, 'consignee_name', 'consignee'));
  put(consignee, 'id', cell(r, 'consignee_id'));
  put(consignee, 'country', upper(cell(r, 'consignee_country')));
  put(consignee, 'headquarters', upper(cell(r, 'consignee_hq', 'consignee_headquarters')));
  put(consignee, 'ultimateParentHeadquarters', upper(cell(r, 'consignee_parent_hq', 'ultimate_parent_hq')));
  put(consignee, 'ultimateParentId', cell(r, 'consignee_parent_id', 'ultimate_parent_id'));
  put(consignee, 'sector', cell(r, 'sector')?.toLowerCase());
  const tx: Record<string, unknown> = { item };
  put(tx, 'id', cell(r, 'id', 'po', 'transaction_id'));
  put(tx, 'date', cell(r, 'date', 'shipment_date'));
  put(tx, 'activity', cell(r, 'activity')?.toLowerCase());
  put(tx, 'from', upper(cell(r, 'from')));
  put(tx, 'to', upper(cell(r, 'to', 'destination')));
  put(tx, 'quantity', number(cell(r, 'quantity', 'qty')));
  if (Object.keys(consignee).length) tx.consignee = consignee;
  const uses = cell(r, 'end_uses', 'end_use');
  if (uses) tx.endUses = uses.split(/[|;,]/).map((u) => u.trim().toLowerCase()).filter(Boolean);
  put(tx, 'viaDistributor', bool(cell(r, 'via_distributor', 'distributor')));
  return tx as unknown as Transaction;
}

export async function readFile(file: File): Promise<Row[]> {
  if (/\.xlsx$/i.test(file.name)) {
    const { default: readXlsx } = await import('read-excel-file/browser');
    const sheets = await readXlsx(file);
    const rows = (sheets[0]?.data ?? []) as unknown[][];
    const [header, ...body] = rows;
    if (!header) return [];
    return body.map((cells) => Object.fromEntries(header.map((h, i) => [String(h), cells[i] ?? undefined])));
  }
  const Papa = (await import('papaparse')).default;
  const text = await file.text();
  const parsed = Papa.parse<Row>(text, { header: true, skipEmptyLines: 'greedy' });
  return parsed.data;
}
