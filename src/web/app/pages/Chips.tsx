/** Chips and TPP: the catalog, and a TPP / performance density calculator that shows each step (the engine's classification basis). */
import { useMemo, useState } from 'preact/hooks';
import { post } from '../api/client.js';
import type { Step } from '../api/types.js';
import { Citation } from '../components/Citation.js';
import { Check, ErrorBox, TextInput } from '../components/Fields.js';
import { num } from '../format.js';
import { useApp } from '../state.js';

export function ChipsPage() {
  const { chips } = useApp();
  const [filter, setFilter] = useState('');
  const [calc, setCalc] = useState({ tops: '', bits: '8', area: '', datacenter: true });
  const [result, setResult] = useState<{ eccn: string | null; status: string; candidates?: (string | null)[]; tppPerUnit?: number; performanceDensity?: number; basis?: Step[] } | undefined>();
  const [error, setError] = useState<unknown>();
  const shown = useMemo(() => chips.filter((c) => `${c.name} ${c.eccn}`.toLowerCase().includes(filter.toLowerCase())), [chips, filter]);
  const compute = async () => {
    setError(undefined);
    try {
      const item = { type: 'ic', tops: Number(calc.tops), bitLength: Number(calc.bits), ...(calc.area ? { dieAreaMm2: Number(calc.area) } : {}), datacenter: calc.datacenter };
      setResult((await post<{ classification: NonNullable<typeof result> }>('/v1/classifications', { item })).classification);
    } catch (e) {
      setError(e);
      setResult(undefined);
    }
  };
  return (
    <div class="page">
      <h1>Chips and TPP</h1>
      <section aria-labelledby="calc-title" class="calculator">
        <h2 id="calc-title">TPP and performance density calculator</h2>
        <form onSubmit={(e) => { e.preventDefault(); void compute(); }}>
          <div class="grid">
            <TextInput label="Dense TOPS (or TFLOPS) at one precision" type="number" step="any" value={calc.tops} onChange={(v) => setCalc({ ...calc, tops: v })} />
            <TextInput label="Bit length of that precision" type="number" value={calc.bits} onChange={(v) => setCalc({ ...calc, bits: v })} />
            <TextInput label="Applicable die area (mm²), optional" type="number" step="any" value={calc.area} onChange={(v) => setCalc({ ...calc, area: v })} />
          </div>
          <Check label="Designed or marketed for datacenters" checked={calc.datacenter} onChange={(v) => setCalc({ ...calc, datacenter: v })} />
          <div class="actions"><button type="submit" class="primary">Compute</button></div>
        </form>
        <ErrorBox error={error} />
        {result ? (
          <div role="status" data-testid="calc-result">
            <p><strong>{result.eccn ?? (result.status === 'unknown' ? `unknown (${(result.candidates ?? []).map((x) => x ?? 'not controlled').join(' or ')})` : 'Not 3A090.a or .b')}</strong>{result.tppPerUnit !== undefined ? ` · TPP ${num(result.tppPerUnit)}` : ''}{result.performanceDensity !== undefined ? ` · PD ${result.performanceDensity}` : ''}</p>
            <ol class="steps">{(result.basis ?? []).map((s, i) => <li key={i}><strong>{s.rule}</strong>: {s.result} <Citation text={s.citation} />{s.detail ? <span class="meta"> {s.detail}</span> : null}</li>)}</ol>
          </div>
        ) : null}
      </section>
      <section aria-labelledby="catalog-title">
        <h2 id="catalog-title">The chip catalog</h2>
        <TextInput label="Filter by name or ECCN" value={filter} onChange={setFilter} />
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on a narrow screen)"><table data-testid="chips-table"><caption class="sr-only">Chip catalog ({shown.length} chips)</caption>
          <thead><tr><th scope="col">Chip</th><th scope="col">TPP</th><th scope="col">From</th><th scope="col">Die area mm²</th><th scope="col">PD</th><th scope="col">Datacenter</th><th scope="col">Classification</th></tr></thead>
          <tbody>{shown.map((c) => <tr key={c.id}><th scope="row">{c.name}</th><td class="num">{num(c.tpp)}</td><td>{c.tppFrom}</td><td class="num">{c.dieAreaMm2 ?? '—'}</td><td class="num">{c.performanceDensity ?? '—'}</td><td>{c.datacenter ? 'yes' : 'no'}</td><td>{c.eccn}</td></tr>)}</tbody>
        </table></div>
      </section>
    </div>
  );
}
