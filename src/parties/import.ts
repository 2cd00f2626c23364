/**
 * Reading a parties file (CSV, XLSX, JSON Lines or a JSON array): columns id, name, country,
 * headquarters, ultimate parent headquarters, ultimate parent id, sector, aliases (separated by
 * ; or |). Countries are resolved as order lines' are (Germany, UK, DEU → ISO codes), each
 * resolution reported; a row that cannot be read is reported with its line and fields, and the
 * others are imported.
 */
import type { Readable } from 'node:stream';
import { resolveCountry, spelling } from '../screen/aliases.js';
import { openInput, type InputFormat } from '../screen/read.js';
import type { RowError } from '../screen/row.js';
import { keyOrUndefined } from './key.js';
import type { Party } from './store.js';

export interface PartyRow {
  line: number;
  party?: Omit<Party, 'id' | 'updatedAt' | 'actor'>;
  errors?: RowError[];
  notes: string[];
}

const COLUMNS: Record<string, keyof Omit<Party, 'id' | 'updatedAt' | 'actor' | 'givenId'> | 'id'> = {
  id: 'id', partyid: 'id', customerid: 'id', consigneeid: 'id',
  name: 'name', partyname: 'name', customername: 'name',
  country: 'country', location: 'country',
  headquarters: 'headquarters', hq: 'headquarters', headquarterscountry: 'headquarters',
  ultimateparentheadquarters: 'ultimateParentHeadquarters', ultimateparenthq: 'ultimateParentHeadquarters', parenthq: 'ultimateParentHeadquarters', parentheadquarters: 'ultimateParentHeadquarters',
  ultimateparentid: 'ultimateParentId', parentid: 'ultimateParentId',
  sector: 'sector',
  aliases: 'aliases', alias: 'aliases',
};

const key = (h: string) => spelling(h);

export async function* readParties(source: string | Readable, format?: InputFormat, sheet?: string): AsyncGenerator<PartyRow> {
  const input = await openInput(source, { ...(format ? { format } : {}), ...(sheet ? { sheet } : {}) });
  for await (const r of input.records) {
    if ('error' in r) {
      yield { line: r.line, errors: [{ path: '(row)', message: r.error }], notes: [] };
      continue;
    }
    const fields: Record<string, unknown> = {};
    if ('cells' in r) input.headers!.forEach((h, i) => { if (COLUMNS[key(h)]) fields[COLUMNS[key(h)]!] = r.cells[i]; });
    else if (r.value && typeof r.value === 'object') for (const [k, v] of Object.entries(r.value)) if (COLUMNS[key(k)]) fields[COLUMNS[key(k)]!] = v;
    yield toParty(r.line, fields);
  }
}

function toParty(line: number, f: Record<string, unknown>): PartyRow {
  const errors: RowError[] = [];
  const notes: string[] = [];
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v).trim() || undefined);
  const id = text(f.id);
  if (id === undefined || keyOrUndefined(id) === undefined) errors.push({ path: 'id', message: 'required: the party\'s id' });
  else if (id.length > 200) errors.push({ path: 'id', message: 'at most 200 characters' });
  const party: Omit<Party, 'id' | 'updatedAt' | 'actor'> = { givenId: id ?? '', aliases: [] };
  const name = text(f.name);
  if (name) party.name = name;
  for (const k of ['country', 'headquarters', 'ultimateParentHeadquarters'] as const) {
    const v = text(f[k]);
    if (v === undefined) continue;
    const r = resolveCountry(v);
    if (!r.ok) errors.push({ path: k, message: r.message });
    else {
      party[k] = r.value;
      if (r.value !== v.toUpperCase()) notes.push(`${k}: "${v}" → ${r.value}`);
    }
  }
  const parent = text(f.ultimateParentId);
  if (parent) party.ultimateParentId = parent;
  const sector = text(f.sector)?.toLowerCase();
  if (sector === 'private' || sector === 'government') party.sector = sector;
  else if (sector !== undefined) errors.push({ path: 'sector', message: `expected private or government, got "${text(f.sector)}"` });
  const aliases = Array.isArray(f.aliases) ? f.aliases.map(String) : (text(f.aliases) ?? '').split(/[;|]/);
  party.aliases = aliases.map((a) => a.trim()).filter((a) => a !== '');
  return errors.length ? { line, errors, notes } : { line, party, notes };
}
