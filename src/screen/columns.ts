/**
 * The column vocabulary of `aidr screen`: which input column fills which field of the contract's
 * Transaction. Header matching ignores case, spaces, underscores and hyphens ("Consignee HQ",
 * "consignee_hq" and "consigneeHq" are one column); a dotted contract path such as
 * `consignee.headquarters` is always accepted. `--map FILE` adds a customer's own headers.
 * Columns that name nothing here are ignored and listed once in the summary.
 */
import { InputError } from '../engine/context.js';

/** A field a column can fill: a contract path, or `item.icCount` (a computer's ICs per unit). */
export interface Field {
  path: string;
  /** Other names for the column (written as a person would; matched as `headerKey`). */
  names: string[];
  kind: 'string' | 'country' | 'chip' | 'int' | 'number' | 'exact' | 'bool' | 'date' | 'enum' | 'list' | 'json';
  values?: readonly string[];
  help: string;
}

const PARTY_FIELDS = (role: 'consignee' | 'endUser', prefixes: string[]): Field[] => {
  const n = (...suffixes: string[]) => prefixes.flatMap((p) => suffixes.map((s) => `${p} ${s}`));
  const who = role === 'consignee' ? 'the consignee' : 'the end user';
  return [
    { path: `${role}.id`, names: n('id', 'number', 'no', 'code'), kind: 'string', help: `${who}'s id (the ledger key; a party imported with aidr parties import supplies the rest)` },
    { path: `${role}.name`, names: n('name'), kind: 'string', help: `${who}'s name` },
    { path: `${role}.country`, names: n('country', 'location'), kind: 'country', help: `where ${who} is located` },
    { path: `${role}.headquarters`, names: n('headquarters', 'hq', 'hq country', 'headquarters country'), kind: 'country', help: `where ${who} is headquartered` },
    { path: `${role}.ultimateParentHeadquarters`, names: n('ultimate parent headquarters', 'ultimate parent hq', 'parent hq', 'parent headquarters'), kind: 'country', help: `where ${who}'s ultimate parent is headquartered` },
    { path: `${role}.ultimateParentId`, names: n('ultimate parent id', 'parent id'), kind: 'string', help: `${who}'s ultimate parent's id (LPP's ultimate consignee, INT-7)` },
    { path: `${role}.sector`, names: n('sector'), kind: 'enum', values: ['private', 'government'], help: 'private or government' },
    { path: `${role}.veu`, names: n('veu'), kind: 'enum', values: ['UVEU', 'NVEU'], help: 'a Data Center VEU authorization it holds (UVEU or NVEU)' },
  ];
};

export const FIELDS: readonly Field[] = [
  { path: 'id', names: ['transaction id', 'order id', 'order', 'order number', 'po', 'po number', 'line id', 'sales order'], kind: 'string', help: 'the order line\'s id (the default idempotency key of a commit)' },
  { path: 'date', names: ['ship date', 'shipment date', 'export date'], kind: 'date', help: 'YYYY-MM-DD (an Excel date cell is read as its day)' },
  { path: 'activity', names: [], kind: 'enum', values: ['export', 'reexport', 'transfer', 'deemed_export', 'deemed_reexport'], help: 'export (default), reexport, transfer, deemed_export, deemed_reexport' },
  { path: 'from', names: ['ship from', 'origin', 'from country'], kind: 'country', help: 'where the shipment starts (reexports, transfers)' },
  { path: 'to', names: ['destination', 'ship to', 'to country', 'destination country'], kind: 'country', help: 'the destination country: a code or a name (Germany, UK, DEU)' },
  { path: 'item.type', names: ['item type', 'type'], kind: 'enum', values: ['ic', 'computer', 'model_weights', 'eccn', 'iaas_training', 'hbm'], help: 'ic, computer, model_weights, eccn, iaas_training, hbm (default: ic when a model, tpp or tops is given; eccn when an ECCN is)' },
  { path: 'item.model', names: ['model', 'chip', 'chip model', 'product', 'part number', 'part', 'sku'], kind: 'chip', help: 'a catalog chip: id, name or alias (H100 SXM5 80GB); for a computer, the IC it holds' },
  { path: 'item.icCount', names: ['ic count', 'ics per unit', 'gpus per unit', 'gpus per server', 'chips per unit'], kind: 'int', help: 'a computer: how many of item.model each unit holds' },
  { path: 'item.tpp', names: ['tpp', 'tpp per unit'], kind: 'number', help: 'an IC\'s TPP from its specifications, instead of a model' },
  { path: 'item.tops', names: ['tops'], kind: 'number', help: 'with item.bitLength: an IC\'s TOPS' },
  { path: 'item.bitLength', names: ['bit length', 'bits'], kind: 'int', help: 'with item.tops' },
  { path: 'item.dieAreaMm2', names: ['die area', 'die area mm2'], kind: 'number', help: 'applicable die area in mm² (specs only)' },
  { path: 'item.dramBandwidthGBs', names: ['dram bandwidth', 'dram bandwidth gbs', 'total dram bandwidth'], kind: 'number', help: 'total DRAM bandwidth in GB/s (specs only; 91 FR 1684)' },
  { path: 'item.datacenter', names: ['datacenter', 'data center'], kind: 'bool', help: 'designed or marketed for datacenters (specs only)' },
  { path: 'item.name', names: ['item name', 'description'], kind: 'string', help: 'free text' },
  { path: 'item.eccn', names: ['eccn'], kind: 'string', help: 'an ECCN already classified (item type eccn)' },
  { path: 'item.trainingOperations', names: ['training operations', 'training ops'], kind: 'exact', help: 'model weights / IaaS: operations as an exact decimal (1.2e26)' },
  { path: 'item.parameters', names: ['parameters'], kind: 'exact', help: 'with item.trainingTokens: 6·N·D' },
  { path: 'item.trainingTokens', names: ['training tokens', 'tokens'], kind: 'exact', help: 'with item.parameters' },
  { path: 'item.published', names: ['published'], kind: 'bool', help: 'model weights: published' },
  { path: 'item.performanceDensity', names: ['performance density', 'pd'], kind: 'number', help: 'item type eccn: the PD' },
  { path: 'item.trainedOnControlledComputing', names: ['trained on controlled computing'], kind: 'bool', help: 'model weights' },
  { path: 'item.additionalOperations', names: ['additional operations'], kind: 'exact', help: 'model weights derived from another model' },
  { path: 'item.note2Excluded', names: ['note2 excluded'], kind: 'bool', help: '4E091 Note 2 self-classification result' },
  { path: 'item.note2Operations', names: ['note2 operations'], kind: 'exact', help: '4E091 Note 2 operations' },
  { path: 'item.derivedFrom', names: ['derived from'], kind: 'json', help: 'JSON: { published, trainingOperations, name }' },
  { path: 'item.syntheticData', names: ['synthetic data'], kind: 'json', help: 'JSON array (4E091 Technical Note 3)' },
  { path: 'item.ics', names: ['ics'], kind: 'json', help: 'a computer\'s ICs as JSON: [{ "model": "nvidia-h100-sxm", "count": 8 }]' },
  { path: 'item.memoryBandwidthDensity', names: ['memory bandwidth density', 'mbd'], kind: 'number', help: 'HBM (3A090.c): GB/s per mm²' },
  { path: 'item.memoryBandwidthGBps', names: ['memory bandwidth', 'memory bandwidth gbps'], kind: 'number', help: 'HBM: bandwidth in GB/s, with item.packageAreaMm2' },
  { path: 'item.packageAreaMm2', names: ['package area', 'package area mm2'], kind: 'number', help: 'HBM: package area in mm², with item.memoryBandwidthGBps' },
  { path: 'item.coPackagedForProcessing', names: ['co packaged for processing'], kind: 'bool', help: 'HBM co-packaged with a processor whose dominant function is processing (not 3A090.c)' },
  { path: 'item.producedOutsideUS', names: ['produced outside us'], kind: 'bool', help: 'produced outside the United States' },
  { path: 'item.foreignDirectProduct', names: ['foreign direct product', 'fdp'], kind: 'bool', help: 'meets the advanced computing FDP rule\'s product scope (734.9(h)(1))' },
  { path: 'quantity', names: ['qty', 'units', 'quantity ordered'], kind: 'int', help: 'units (integers; 10,000 is read as 10000 and reported)' },
  ...PARTY_FIELDS('consignee', ['consignee', 'customer', 'ship to party', 'sold to']),
  ...PARTY_FIELDS('endUser', ['end user']),
  { path: 'endUses', names: ['end use', 'end uses'], kind: 'list', values: ['datacenter', 'ai_training', 'iaas', 'development', 'production', 'storage', 'resale', 'other'], help: 'end uses separated by ; or | (datacenter, ai_training, …)' },
  { path: 'viaDistributor', names: ['via distributor', 'distributor'], kind: 'bool', help: 'shipped through a distributor' },
  { path: 'facts.storageMeetsSupp10Security', names: ['storage meets supp10 security'], kind: 'bool', help: 'AIA weights storage condition' },
  { path: 'facts.permanentRegularEmployee', names: ['permanent regular employee'], kind: 'bool', help: 'deemed exports' },
  { path: 'facts.part744Concern', names: ['part 744 concern'], kind: 'bool', help: 'a part 744 end-use concern is known' },
  { path: 'facts.ultimateCustomersInMacauOrD5', names: ['ultimate customers in macau or d5'], kind: 'bool', help: 'ACM: items ultimately destined to customers in Macau or D:5' },
  { path: 'exporter.headquarters', names: ['exporter headquarters', 'exporter hq'], kind: 'country', help: 'where the exporter, reexporter or transferor is headquartered (License Exception HBM, 740.25(b))' },
  { path: 'exporter.ultimateParentHeadquarters', names: ['exporter ultimate parent headquarters', 'exporter parent hq'], kind: 'country', help: 'where the exporter\'s ultimate parent is headquartered (740.25(b))' },
  { path: 'facts.hbmBoughtByCoPackageDesigner', names: ['hbm bought by co package designer'], kind: 'bool', help: 'HBM: bought directly by the designer of the co-packaged commodity (740.25(c)(1))' },
  { path: 'facts.hbmShippedDirectToPackagingSite', names: ['hbm shipped direct to packaging site'], kind: 'bool', help: 'HBM: shipped directly to the packaging site, no other intermediate consignee (740.25(c)(2), (d))' },
  { path: 'facts.hbmPackagedAtAdvancedNodeFacility', names: ['hbm packaged at advanced node facility'], kind: 'bool', help: 'HBM: co-packaged at a Macau/D:5 facility producing advanced-node ICs (740.25(d))' },
  { path: 'facts.supp8Entity', names: ['supp8 entity', 'supplement 8 entity'], kind: 'string', help: 'the UAE party\'s Supp. No. 8 to part 740 entry (e.g. g42, microsoft) or none (91 FR 43034)' },
  { path: 'facts.review1684.commerciallyAvailableInUs', names: ['commercially available in us'], kind: 'bool', help: '91 FR 1684: commercially available in the U.S. on 2026-01-15' },
  { path: 'facts.review1684.usSupplySufficient', names: ['us supply sufficient'], kind: 'bool', help: '91 FR 1684 certification: sufficient U.S. supply' },
  { path: 'facts.review1684.shipmentsWithinHalfOfUs', names: ['shipments within half of us'], kind: 'bool', help: '91 FR 1684 certification: China/Macau shipments at most 50 % of U.S. shipments' },
  { path: 'facts.review1684.recipientSecurityKyc', names: ['recipient security kyc'], kind: 'bool', help: '91 FR 1684 certification: recipient security procedures and KYC' },
  { path: 'facts.review1684.thirdPartyTestedInUs', names: ['third party tested in us'], kind: 'bool', help: '91 FR 1684 certification: independent third-party testing in the U.S.' },
];

/** A header as matched: case, spaces, underscores, hyphens and dots ignored. */
export const headerKey = (h: string): string => h.normalize('NFC').replace(/^\uFEFF/, '').toLowerCase().replace(/[\s_\-.]+/g, '');

const BY_KEY = new Map<string, Field>();
for (const f of FIELDS) {
  for (const n of [f.path, f.path.split('.').pop()!, ...f.names]) {
    const k = headerKey(n);
    // The bare last segment of a party path ("id", "name", "country") belongs to the transaction or the item, not a party.
    if (n === f.path.split('.').pop() && f.path.includes('.') && !f.path.startsWith('item.') && !f.path.startsWith('facts.')) continue;
    if (!BY_KEY.has(k)) BY_KEY.set(k, f);
  }
}
for (const f of FIELDS) BY_KEY.set(headerKey(f.path), f);

export interface ColumnMap {
  /** Field per column index (undefined: ignored). */
  fields: (Field | undefined)[];
  headers: string[];
  ignored: string[];
}

/** The field each header fills; `custom` (from --map) maps a customer's header to a contract path or vocabulary name. */
export function mapColumns(headers: string[], custom: Record<string, string> = {}): ColumnMap {
  const customByKey = new Map(Object.entries(custom).map(([h, target]) => [headerKey(h), target]));
  const seen = new Map<string, string>();
  const fields = headers.map((h) => {
    const target = customByKey.get(headerKey(h));
    const f = BY_KEY.get(headerKey(target ?? h));
    if (target !== undefined && !f) throw new InputError('--map', `"${h}" maps to "${target}", which is not a column aidr knows (see aidr screen --columns)`);
    if (f) {
      const prior = seen.get(f.path);
      if (prior !== undefined) throw new InputError('(header)', `columns "${prior}" and "${h}" both give ${f.path}: keep one (or map one elsewhere with --map)`);
      seen.set(f.path, h);
    }
    return f;
  });
  return { fields, headers, ignored: headers.filter((_, i) => !fields[i] && headers[i]!.trim() !== '') };
}

/** The vocabulary as a table (for --columns and docs): path, accepted names, meaning. */
export function vocabulary(): { path: string; names: string[]; help: string }[] {
  return FIELDS.map((f) => ({ path: f.path, names: f.names, help: f.help }));
}

/**
 * The columns of a file's header row, refused when aidr knows none of them (a cover note, a sheet of
 * something else, no header row): every line would be in error or, for a note with nothing under
 * it, no line read at all. Unusable input, saying what was read and, for a workbook, which worksheets
 * it has. One check for `aidr screen` and `POST /v1/screenings`.
 */
export function knownColumns(opened: { headers?: string[]; format: string; sheet?: string; sheets?: string[] }, map?: Record<string, string>): ColumnMap {
  const columns = mapColumns(opened.headers ?? [], map);
  if (columns.fields.some((f) => f !== undefined)) return columns;
  const first = (opened.headers ?? []).filter((h) => h !== '').slice(0, 5).map((h) => `"${h.length > 60 ? `${h.slice(0, 60)}…` : h}"`).join(', ');
  const read = `its first row: ${first || '(blank)'}`;
  if (opened.format === 'xlsx') {
    const others = (opened.sheets ?? []).filter((x) => x !== opened.sheet);
    const choose = others.length ? `; the workbook's other worksheets: ${others.map((x) => `"${x}"`).join(', ')} (choose one with --sheet NAME, or ?sheet= over HTTP)` : '';
    throw new InputError('(header)', `no column of worksheet "${opened.sheet ?? '1'}" is one aidr knows (${read})${choose}; see aidr screen --columns, or --map`);
  }
  throw new InputError('(header)', `no column of the header row is one aidr knows (${read}); see aidr screen --columns, or --map`);
}
