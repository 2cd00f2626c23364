/** The screening results as a download: CSV (RFC 4180 quoting) or XLSX. */
import type { ScreenResult } from '../api/screen.js';
import { today } from '../format.js';

export const COLUMNS = ['row', 'id', 'to', 'consignee', 'item', 'quantity', 'eccn', 'outcome', 'eligible_exceptions', 'license_required', 'review_policy', 'missing_facts', 'error'] as const;

export function resultRow(r: ScreenResult): (string | number)[] {
  const d = r.determination;
  const item = r.tx.item as { model?: string; tpp?: number; type: string };
  return [
    r.index + 1, r.tx.id ?? '', r.tx.to ?? '', r.tx.consignee?.name ?? r.tx.consignee?.id ?? '', item.model ?? (item.tpp !== undefined ? `TPP ${item.tpp}` : item.type), r.tx.quantity ?? 1,
    d?.classification.eccn ?? '', d?.outcome ?? 'invalid', d ? d.exceptions.filter((e) => e.status === 'eligible').map((e) => e.code).join(' ') : '',
    d?.licenseRequired ?? '', d?.reviewPolicy ?? '', d ? d.missingFacts.map((m) => m.path).join(' ') : '', r.error ?? '',
  ];
}

const quote = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(results: ScreenResult[]): Blob {
  const lines = [COLUMNS.join(','), ...results.map((r) => resultRow(r).map(quote).join(','))];
  return new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
}

export async function toXlsx(results: ScreenResult[]): Promise<Blob> {
  const { default: writeXlsxFile } = await import('write-excel-file/browser');
  const header = COLUMNS.map((c) => ({ value: c, fontWeight: 'bold' as const }));
  return writeXlsxFile([header, ...results.map((r) => resultRow(r).map((v) => ({ value: v })))]).toBlob();
}

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A small order book in the columns Screen reads, to try it (and to start a real one from); its orders ship today. */
export function sampleCsv(): Blob {
  const date = today();
  const rows = [
    'id,date,to,model,quantity,consignee_name,consignee_id,consignee_country,consignee_hq,consignee_parent_hq,end_uses,via_distributor',
    `PO-1001,${date},BR,nvidia-h100-sxm,10000,Exemplo Datacenter Ltda,exemplo-br,BR,BR,BR,datacenter,no`,
    `PO-1002,${date},BR,nvidia-h100-sxm,1000,Exemplo Datacenter Ltda,exemplo-br,BR,BR,BR,datacenter,no`,
    `PO-1003,${date},DE,nvidia-h100-sxm,10000,Example Rechenzentrum GmbH,example-de,DE,US,US,datacenter,no`,
    `PO-1004,${date},AE,nvidia-h100-sxm,100,Gulf Compute LLC,gulf-ae,AE,AE,AE,datacenter,no`,
    `PO-1005,${date},CN,nvidia-h100-sxm,8,Example Compute Co,example-cn,CN,CN,CN,datacenter,no`,
    `PO-1006,${date},IN,nvidia-h100-sxm,200,Example Cloud Pvt,example-in,IN,IN,IN,datacenter,yes`,
  ];
  return new Blob([`${rows.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
}
