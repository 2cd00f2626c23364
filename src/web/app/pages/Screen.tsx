/**
 * Screen: upload a CSV or XLSX of transactions (one a row), evaluate them with a progress bar,
 * filter by outcome, destination and exception, sort, open a row's full determination, and
 * download the results as CSV or XLSX.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { fullDetermination, screen, type ScreenResult } from '../api/screen.js';
import type { Determination } from '../api/types.js';
import { DeterminationBody, Headline } from '../components/Determination.js';
import { ErrorBox } from '../components/Fields.js';
import { VirtualTable, type Column } from '../components/VirtualTable.js';
import { readFile, rowToTransaction } from '../screen/rows.js';
import { download, resultRow, sampleCsv, toCsv, toXlsx } from '../screen/export.js';
import { countryName, useApp } from '../state.js';
import { num, OUTCOME_WORDS } from '../format.js';

const OUTCOMES = Object.keys(OUTCOME_WORDS) as (keyof typeof OUTCOME_WORDS)[];

/** Each result's cells, computed once (the table asks for them on every frame it scrolls). */
const cellCache = new WeakMap<ScreenResult, (string | number)[]>();
function cells(r: ScreenResult): (string | number)[] {
  let c = cellCache.get(r);
  if (!c) cellCache.set(r, (c = resultRow(r)));
  return c;
}

/** The table's columns: the first columns of the export (resultRow), so that sorting can use its values. */
const COLS: Column<ScreenResult>[] = [
  { key: 'row', width: '4.5rem', label: 'Row', render: (r) => r.index + 1, sortable: true },
  { key: 'id', width: '8rem', label: 'Id', render: (r) => r.tx.id ?? '', sortable: true },
  { key: 'to', width: '7.5rem', label: 'Destination', render: (r) => r.tx.to ?? '', sortable: true },
  { key: 'consignee', width: '11rem', label: 'Consignee', render: (r) => r.tx.consignee?.name ?? r.tx.consignee?.id ?? '', sortable: true, narrow: false },
  { key: 'item', width: '11rem', label: 'Item', render: (r) => cells(r)[4], sortable: true, narrow: false },
  { key: 'quantity', width: '5rem', label: 'Qty', render: (r) => num(r.tx.quantity ?? 1), sortable: true, narrow: false },
  { key: 'eccn', width: '6rem', label: 'ECCN', render: (r) => r.determination?.classification.eccn ?? '', sortable: true, narrow: false },
  { key: 'outcome', width: '14rem', label: 'Outcome', render: (r) => (r.determination ? <span class={`pill outcome-${r.determination.outcome}`}>{OUTCOME_WORDS[r.determination.outcome]}</span> : <span class="pill not_met" title={r.error}>invalid: {r.error}</span>), sortable: true },
  { key: 'eligible', width: '8rem', label: 'Exceptions', render: (r) => cells(r)[8], sortable: true },
];

export function ScreenPage() {
  const app = useApp();
  const [results, setResults] = useState<ScreenResult[]>([]);
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>();
  const [error, setError] = useState<unknown>();
  const [fileName, setFileName] = useState('');
  const [outcome, setOutcome] = useState('');
  const [to, setTo] = useState('');
  const [exception, setException] = useState('');
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | undefined>();
  const [open, setOpen] = useState<{ r: ScreenResult; d?: Determination; error?: unknown } | undefined>();
  const cancel = useRef({ cancelled: false });

  async function onFile(file: File) {
    setError(undefined);
    setResults([]);
    setFileName(file.name);
    cancel.current = { cancelled: false };
    try {
      const rows = await readFile(file);
      const txs = rows.map(rowToTransaction);
      setProgress({ done: 0, total: txs.length });
      const out = await screen(txs, (done, total) => setProgress({ done, total }), cancel.current);
      setResults(out);
    } catch (e) {
      setError(e);
    }
  }

  const destinations = useMemo(() => [...new Set(results.map((r) => r.tx.to).filter((x): x is string => !!x))].sort(), [results]);
  const shown = useMemo(() => {
    let rows = results.filter((r) => (!outcome || (r.determination?.outcome ?? 'invalid') === outcome) && (!to || r.tx.to === to)
      && (!exception || r.determination?.exceptions.some((e) => e.code === exception && e.status === 'eligible')));
    if (sort) {
      // The columns of COLS are the first columns of resultRow; compute each row's key once.
      const i = COLS.findIndex((c) => c.key === sort.key);
      const keyed = rows.map((r) => [cells(r)[i]!, r] as const);
      keyed.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0) * sort.dir);
      rows = keyed.map(([, r]) => r);
    }
    return rows;
  }, [results, outcome, to, exception, sort]);

  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const r of results) c[r.determination?.outcome ?? 'invalid'] = (c[r.determination?.outcome ?? 'invalid'] ?? 0) + 1;
    return c;
  }, [results]);


  const openRow = async (r: ScreenResult) => {
    setOpen({ r });
    if (!r.determination) return;
    try {
      setOpen({ r, d: await fullDetermination(r.tx) });
    } catch (e) {
      setOpen({ r, error: e });
    }
  };

  return (
    <div class="page">
      <h1>Screen an order book</h1>
      <p>Upload a CSV or XLSX file with one transaction a row. Columns: <code>id, date, to, model</code> (or <code>tpp</code>, or <code>tops</code> and <code>bits</code>), <code>quantity, consignee_name, consignee_id, consignee_country, consignee_hq, consignee_parent_hq, end_uses, via_distributor</code> (see the documentation for all of them). <button type="button" class="link" onClick={() => download(sampleCsv(), 'sample-order-book.csv')}>Download a sample order book</button> to try it.</p>
      <div class="field">
        <label for="screen-file">Spreadsheet (CSV or XLSX)</label>
        <input id="screen-file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void onFile(f); }} />
      </div>
      <ErrorBox error={error} />
      {progress ? (
        <div class="progress">
          <label for="screen-progress">Evaluated {progress.done.toLocaleString('en-US')} of {progress.total.toLocaleString('en-US')} rows{fileName ? ` of ${fileName}` : ''}</label>
          <progress id="screen-progress" max={progress.total || 1} value={progress.done} />
          {progress.done < progress.total ? <button type="button" onClick={() => (cancel.current.cancelled = true)}>Stop</button> : null}
        </div>
      ) : null}
      {results.length ? (
        <>
          <p class="summary" data-testid="screen-summary">{OUTCOMES.filter((o) => counts[o]).map((o) => `${OUTCOME_WORDS[o]}: ${counts[o]!.toLocaleString('en-US')}`).concat(counts.invalid ? [`Invalid rows: ${counts.invalid.toLocaleString('en-US')}`] : []).join(' · ')}</p>
          <div class="filters" role="group" aria-label="Filter the results">
            <div class="field"><label for="f-outcome">Outcome</label>
              <select id="f-outcome" value={outcome} onChange={(e) => setOutcome((e.target as HTMLSelectElement).value)}>
                <option value="">(all)</option>{OUTCOMES.map((o) => <option key={o} value={o}>{OUTCOME_WORDS[o]}</option>)}<option value="invalid">Invalid rows</option>
              </select></div>
            <div class="field"><label for="f-to">Destination</label>
              <select id="f-to" value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
                <option value="">(all)</option>{destinations.map((c) => <option key={c} value={c}>{countryName(app, c)}</option>)}
              </select></div>
            <div class="field"><label for="f-exc">Eligible exception</label>
              <select id="f-exc" value={exception} onChange={(e) => setException((e.target as HTMLSelectElement).value)}>
                <option value="">(any)</option>{['AIA', 'ACM', 'LPP', 'NAC', 'ACA', 'HBM'].map((c) => <option key={c} value={c}>{c}</option>)}
              </select></div>
            <div class="actions">
              <button type="button" onClick={() => download(toCsv(shown), `${fileName.replace(/\.\w+$/, '') || 'screening'}-results.csv`)}>Download CSV</button>
              <button type="button" onClick={async () => download(await toXlsx(shown), `${fileName.replace(/\.\w+$/, '') || 'screening'}-results.xlsx`)}>Download XLSX</button>
            </div>
          </div>
          <p aria-live="polite">{shown.length.toLocaleString('en-US')} of {results.length.toLocaleString('en-US')} rows shown. Open a row for its full determination.</p>
          {shown.length === 0 ? <p class="note">No row matches these filters.</p> : null}
          <VirtualTable rows={shown} columns={COLS} onOpen={openRow} sort={sort} label="Screening results"
            onSort={(key) => setSort((s) => (s?.key === key ? { key, dir: s.dir === 1 ? -1 : 1 } : { key, dir: 1 }))} />
        </>
      ) : null}
      {open ? (
        <section class="row-detail" aria-labelledby="row-detail-title" role="dialog" aria-modal="false">
          <h2 id="row-detail-title" tabIndex={-1} ref={(el) => el?.focus()}>Row {open.r.index + 1}{open.r.tx.id ? `: ${open.r.tx.id}` : ''}</h2>
          <button type="button" class="close" onClick={() => setOpen(undefined)}>Close</button>
          {open.r.error ? <p class="error">{open.r.error}</p> : null}
          <ErrorBox error={open.error} />
          {open.d ? <><Headline d={open.d} /><DeterminationBody d={open.d} /></> : open.r.determination ? <p>Loading the full determination…</p> : null}
        </section>
      ) : null}
    </div>
  );
}
