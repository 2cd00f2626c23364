/** Audit: search the records, open one (its stored determination and input), verify the hash chain, replay with the differences. */
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api/client.js';
import type { AuditSummary, Determination, RegimeAnswer, Transaction } from '../api/types.js';
import { DeterminationBody, Headline, RulesetLine } from '../components/Determination.js';
import { CountrySelect, ErrorBox, TextInput } from '../components/Fields.js';
import { TxSummary } from '../components/TxSummary.js';
import { OUTCOME_WORDS, words } from '../format.js';
import { can, useApp } from '../state.js';

interface Record { seq: number; id: string; at: string; actor: string; rulesetVersion: string; input: Transaction; output: Determination; effects: { exception?: string | null }; hash: string }
interface Verify { ok: boolean; records: number; head: { seq: number; hash: string }; problem?: { kind: string; seq: number; message: string } }
interface Replay {
  identical: boolean; sameVersion: boolean; note: string; differences: { path: string; stored: unknown; now: unknown }[];
  /** How the record was decided (its date's vintage and regime) and the same transaction today, per regime. */
  then?: { note: string };
  today?: { asOf: string; vintage: string | null; regimesDiffer: boolean; regimes: RegimeAnswer[] };
}

export function AuditPage({ id }: { id?: string }) {
  const app = useApp();
  const [q, setQ] = useState({ q: '', consignee: '', to: undefined as string | undefined, date: '', outcome: '' });
  const [items, setItems] = useState<AuditSummary[] | undefined>();
  const [rec, setRec] = useState<Record | undefined>();
  const [verify, setVerify] = useState<Verify | undefined>();
  const [replay, setReplay] = useState<Replay | undefined>();
  const [error, setError] = useState<unknown>();

  const search = async () => {
    setError(undefined);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v) params.set(k, v);
    try {
      setItems((await get<{ items: AuditSummary[] }>(`/v1/audit/records?${params}`)).items);
    } catch (e) {
      setError(e);
    }
  };
  const openRecord = async (rid: string) => {
    setReplay(undefined);
    try {
      setRec(await get<Record>(`/v1/determinations/${encodeURIComponent(rid)}`));
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => void search(), []);
  useEffect(() => { if (id) void openRecord(id); }, [id]);

  return (
    <div class="page">
      <h1>Audit log</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); void search(); }} aria-label="Search the audit log">
        <TextInput label="Transaction id / PO contains" value={q.q} onChange={(v) => setQ({ ...q, q: v })} />
        <TextInput label="Consignee contains" value={q.consignee} onChange={(v) => setQ({ ...q, consignee: v })} />
        <CountrySelect label="Destination" emptyLabel="(any)" value={q.to} onChange={(v) => setQ({ ...q, to: v })} />
        <TextInput label="Shipment date" type="date" value={q.date} onChange={(v) => setQ({ ...q, date: v })} />
        <div class="field"><label for="a-outcome">Outcome</label>
          <select id="a-outcome" value={q.outcome} onChange={(e) => setQ({ ...q, outcome: (e.target as HTMLSelectElement).value })}>
            <option value="">(any)</option>{Object.entries(OUTCOME_WORDS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select></div>
        <div class="actions"><button type="submit" class="primary">Search</button>
          {can(app, 'officer') ? <button type="button" onClick={async () => { setError(undefined); try { setVerify(await post<Verify>('/v1/audit/verify', {})); } catch (e) { setError(e); } }}>Verify the chain</button> : null}</div>
      </form>
      <ErrorBox error={error} />
      {verify ? (
        <p class={verify.ok ? 'ok' : 'error'} role="status" data-testid="verify-result">
          {verify.ok ? `Chain intact: ${verify.records} record(s); head ${verify.head.seq}:${verify.head.hash.slice(0, 16)}…` : `Chain FAILED (${verify.problem?.kind}): ${verify.problem?.message}`}
        </p>
      ) : null}
      {items ? (
        items.length ? (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on a narrow screen)"><table data-testid="audit-table"><caption class="sr-only">Audit records, newest first</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Recorded</th><th scope="col">Transaction</th><th scope="col">Outcome</th><th scope="col">Exception</th><th scope="col">Actor</th></tr></thead>
            <tbody>{items.map((r) => (
              <tr key={r.id}><td><a href={`#/audit/${r.id}`}>{r.seq}</a></td><td>{r.at.replace('T', ' ').slice(0, 19)}</td><td>{r.transactionId ?? '—'}</td><td>{words(r.outcome)}</td><td>{r.exception ?? '—'}</td><td>{r.actor}</td></tr>
            ))}</tbody></table></div>
        ) : <p>No record matches.</p>
      ) : null}
      {rec ? (
        <article class="record" aria-labelledby="rec-title">
          <h2 id="rec-title" tabIndex={-1} ref={(el) => el?.focus()}>Record {rec.seq} ({rec.id})</h2>
          <p class="meta">Recorded {rec.at} by {rec.actor}; exception used: {rec.effects.exception ?? 'none'}; hash {rec.hash.slice(0, 16)}…</p>
          <div class="actions no-print">
            {can(app, 'analyst') ? <button type="button" onClick={async () => { try { setReplay(await post<Replay>(`/v1/determinations/${rec.id}/replay`)); } catch (e) { setError(e); } }}>Replay</button> : null}
            <button type="button" onClick={() => window.print()}>Print the record</button>
          </div>
          {replay ? (
            <section class={replay.identical ? 'ok' : 'error'} aria-labelledby="replay-title" role="status">
              <h3 id="replay-title">Replay: {replay.identical ? 'the same determination' : `${replay.differences.length} difference(s)`}</h3>
              <p>{replay.note}</p>
              {replay.differences.length ? <ul>{replay.differences.map((x) => <li key={x.path}><code>{x.path}</code>: stored {JSON.stringify(x.stored)} → now {JSON.stringify(x.now)}</li>)}</ul> : null}
              {replay.then ? <p class="replay-then">Then: {replay.then.note}</p> : null}
              {replay.today ? (
                <div class="replay-today">
                  <p>Today ({replay.today.asOf}{replay.today.vintage ? `, vintage ${replay.today.vintage}` : ''}), the same transaction{replay.today.regimesDiffer ? ': the regimes differ' : ''}:</p>
                  <ul>{replay.today.regimes.map((r) => <li key={r.id}>{r.id === 'codified' ? 'As written' : 'As enforced'}: {OUTCOME_WORDS[r.outcome as keyof typeof OUTCOME_WORDS] ?? words(r.outcome)}{r.eligibleExceptions.length ? `: ${r.eligibleExceptions.join(', ')}` : ''}</li>)}</ul>
                </div>
              ) : null}
            </section>
          ) : null}
          <TxSummary tx={rec.input} />
          <Headline d={rec.output} />
          <DeterminationBody d={rec.output} />
          <RulesetLine d={rec.output} />
        </article>
      ) : null}
    </div>
  );
}
