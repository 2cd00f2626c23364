/**
 * Check: fill the transaction, see the answer. Missing facts are questions whose answer
 * re-evaluates in place; interpretation toggles re-evaluate and highlight what changed; the
 * what-if summary says what would change the outcome; officers can commit (ledger + audit log).
 */
import { useRef, useState } from 'preact/hooks';
import { post } from '../api/client.js';
import type { Determination, Transaction, WhatIf, WithRegimes } from '../api/types.js';
import { changesBetween, DeterminationBody, Headline, RulesetLine, type Changed } from '../components/Determination.js';
import { ErrorBox } from '../components/Fields.js';
import { MissingFacts } from '../components/MissingFacts.js';
import { Interpretations } from '../components/Interpretations.js';
import { TransactionForm } from '../components/TransactionForm.js';
import { WhatIfList } from '../components/WhatIfList.js';
import { TxSummary } from '../components/TxSummary.js';
import { today } from '../format.js';
import { setPath } from '../paths.js';
import { can, useApp } from '../state.js';

// The examples ship today (the browser's date); the Date field changes it.
export const EXAMPLES: { label: string; tx: Transaction }[] = [
  {
    label: '10,000 H100 for a Brazilian data center',
    tx: { id: 'PO-BR-1', date: today(), activity: 'export', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10000,
      consignee: { name: 'Exemplo Datacenter Ltda', id: 'exemplo-br', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' }, endUses: ['datacenter'] },
  },
  {
    label: '10,000 H100 for a German data center of a U.S. company',
    tx: { id: 'PO-4711', date: today(), activity: 'export', to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 10000,
      consignee: { name: 'Example Rechenzentrum GmbH', id: 'example-de', country: 'DE', headquarters: 'US', ultimateParentHeadquarters: 'US', sector: 'private' }, endUses: ['datacenter'] },
  },
  {
    label: 'an accelerator from its datasheet (datacenter use not stated)',
    tx: { id: 'PO-DS-7', date: today(), activity: 'export', to: 'BR', item: { type: 'ic', tops: 250, bitLength: 16, dieAreaMm2: 600 }, quantity: 500,
      consignee: { name: 'Exemplo Datacenter Ltda', id: 'exemplo-br', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } },
  },
];

/** A changed part of the answer as words a screen-reader user hears ("exceptions.LPP" → "LPP"). */
const changeWords = (key: string): string =>
  key.startsWith('exceptions.') ? key.slice('exceptions.'.length) : ({ outcome: 'the outcome', licenseRequired: 'license required', reviewPolicy: 'the review policy', ruleset: 'the legal status', warnings: 'the warnings', missingFacts: 'the missing facts' } as Record<string, string>)[key] ?? key;

const newKey = () => `wb-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

type Regime = 'codified' | 'enforced';

/**
 * Which regime the answer's details follow: the EAR as written (codified) or as BIS enforces it.
 * Both are evaluated every time; the headline shows both when they differ.
 */
function RegimeSwitch({ value, onChange }: { value: Regime; onChange: (r: Regime) => void }) {
  return (
    <fieldset class="regime-switch">
      <legend>Answer under</legend>
      <div class="segmented" role="radiogroup" aria-label="Regime the details follow">
        <label><input type="radio" name="regime" checked={value === 'codified'} onChange={() => onChange('codified')} /> The rule as written (codified)</label>
        <label><input type="radio" name="regime" checked={value === 'enforced'} onChange={() => onChange('enforced')} /> As BIS enforces it</label>
      </div>
    </fieldset>
  );
}

export function CheckPage() {
  const app = useApp();
  const { tx, setTx } = app;
  const [readings, setReadings] = useState<Record<string, string>>({});
  // The regime the answer's details follow; both regimes are always evaluated and headlined when they differ.
  const [regime, setRegime] = useState<Regime>('codified');
  const [d, setD] = useState<(Determination & WithRegimes) | undefined>();
  const [w, setW] = useState<WhatIf | undefined>();
  const [changed, setChanged] = useState<Changed>(new Set());
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [commit, setCommit] = useState<{ auditId: string; seq: number; exception: string | null; movements: { account: string; amountTpp: string; leftTpp: string | null }[]; notices: string[] } | undefined>();
  const [announce, setAnnounce] = useState('');
  // Counts the answers shown: the answer element carries it (data-answer-seq), so a test or a
  // benchmark knows when the answer to *its* request is on screen, whatever that answer says.
  const [seq, setSeq] = useState(0);
  const result = useRef<HTMLElement>(null);

  async function evaluate(t: Transaction = tx, r: Record<string, string> = readings, focus = true, g: Regime = regime) {
    setBusy(true);
    setError(undefined);
    setCommit(undefined);
    try {
      const options = { ...(Object.keys(r).length ? { interpretations: r } : {}), ...(g !== 'codified' ? { regime: g } : {}) };
      const hasParty = Boolean(t.consignee?.id || t.consignee?.name);
      // The answer is decided on the store's ledger view, as a commit would be. The what-if reads
      // that view itself, so it runs beside the view → determination pair, not after the view:
      // one round trip less on the way to the answer.
      const determination = async () => {
        const ledger = hasParty ? await post<Record<string, string>>('/v1/ledger/view', { transaction: t, options }).catch(() => undefined) : undefined;
        return post<Determination & WithRegimes>('/v1/determinations', { transaction: t, options: { ...options, ...(ledger ? { ledger } : {}) } });
      };
      const [det, what] = await Promise.all([
        determination(),
        post<WhatIf>('/v1/what-if', { transaction: t, options }).catch(() => undefined),
      ]);
      const diff = changesBetween(d, det);
      setChanged(diff);
      setAnnounce(d ? (diff.size ? `Re-evaluated: ${[...diff].map(changeWords).join(', ')} changed.` : 'Re-evaluated: nothing changed.') : 'Evaluated.');
      setD(det);
      setW(what);
      setSeq((n) => n + 1);
      if (focus) requestAnimationFrame(() => result.current?.focus());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const answer = (path: string, value: unknown) => {
    const next = setPath(tx, path, value);
    setTx(next);
    void evaluate(next, readings, false);
  };
  const toggle = (id: string, reading: string) => {
    const next = { ...readings, [id]: reading };
    setReadings(next);
    void evaluate(tx, next, false);
  };
  const chooseRegime = (g: Regime) => {
    setRegime(g);
    if (d) void evaluate(tx, readings, false, g);
  };
  const apply = (changes: { path: string; to: unknown }[]) => {
    let next = tx;
    for (const c of changes) next = setPath(next, c.path, c.to);
    setTx(next);
    void evaluate(next, readings);
  };
  async function doCommit() {
    setBusy(true);
    setError(undefined);
    try {
      const r = await post<{ determination: Determination; commit: NonNullable<typeof commit> }>('/v1/determinations', { transaction: tx, options: { ...(Object.keys(readings).length ? { interpretations: readings } : {}), ...(regime !== 'codified' ? { regime } : {}) }, commit: true, idempotencyKey: newKey() });
      setCommit(r.commit);
      setD(r.determination);
      setSeq((n) => n + 1);
      setAnnounce(`Committed: audit record ${r.commit.seq}.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="check-page">
      <div class="form-column no-print">
        <h1>Check a transaction</h1>
        <div class="examples">Start from an example:
          <ul>{EXAMPLES.map((x) => <li key={x.label}><button type="button" class="link" onClick={() => { setTx(x.tx); setD(undefined); setW(undefined); }}>{x.label}</button></li>)}</ul>
        </div>
        <TransactionForm tx={tx} onChange={setTx} />
        <RegimeSwitch value={regime} onChange={chooseRegime} />
        <div class="actions">
          <button type="button" class="primary" onClick={() => evaluate()} disabled={busy}>{busy ? 'Checking…' : 'Check'}</button>
          {d && can(app, 'officer') ? <button type="button" onClick={doCommit} disabled={busy}>Commit (draw on the ledger and record)</button> : null}
          {d ? <button type="button" onClick={() => window.print()}>Print the record</button> : null}
        </div>
        <ErrorBox error={error} />
      </div>
      <p class="sr-only" role="status" aria-live="polite">{announce}</p>
      {d ? (
        <article class="result record" tabIndex={-1} ref={result} aria-labelledby="headline-title" aria-busy={busy} data-answer-seq={seq}>
          <header class="print-only"><h1>Export determination record</h1><TxSummary tx={tx} /></header>
          <Headline d={d} changed={changed} />
          {commit ? (
            <section class="committed" role="status">
              <h2>Committed</h2>
              <p>Audit record {commit.seq} ({commit.auditId}); exception used: {commit.exception ?? 'none'}.</p>
              <ul>{commit.movements.map((m) => <li key={m.account}>{m.account}: drew {m.amountTpp} TPP; left {m.leftTpp ?? '—'}</li>)}</ul>
              {commit.notices.length ? <ul class="warnings">{commit.notices.map((n, i) => <li key={i}>{n}</li>)}</ul> : null}
            </section>
          ) : null}
          <MissingFacts d={d} onAnswer={answer} />
          {w ? <WhatIfList w={w} onApply={apply} brief /> : null}
          <DeterminationBody d={d} changed={changed} />
          <Interpretations d={d} readings={readings} onToggle={toggle} />
          <RulesetLine d={d} changed={changed} />
        </article>
      ) : (
        <p class="empty no-print">Fill in the transaction and press <strong>Check</strong>: the answer, its conditions and citations, the obligations and what would change the outcome appear here.</p>
      )}
    </div>
  );
}
