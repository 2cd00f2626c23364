/**
 * Ledgers: LPP use per ultimate consignee this year as bars against the annual cap (near the cap
 * highlighted, sortable), country allocations, AIA cumulative against the reporting trigger,
 * NVEU / UVEU shares, and an account's movements. Plain SVG.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api/client.js';
import type { Account, Movement } from '../api/types.js';
import { Citation } from '../components/Citation.js';
import { ErrorBox } from '../components/Fields.js';
import { num } from '../format.js';
import { useApp } from '../state.js';

/** Within this share of the cap an account is shown as near it. A display choice, not a figure of the rule. */
const NEAR_CAP = 0.9;

const share = (used: string, cap: string | null) => (cap && Number(cap) > 0 ? Math.min(1, (Number(used)) / Number(cap)) : 0);

function Bar({ used, reserved, cap, label }: { used: string; reserved: string; cap: string | null; label: string }) {
  const u = share(used, cap);
  const r = Math.min(1 - u, share(reserved, cap));
  const near = u + r >= NEAR_CAP;
  return (
    <svg class={`bar${near ? ' near' : ''}`} viewBox="0 0 200 14" preserveAspectRatio="none" role="img" aria-label={`${label}: ${(100 * (u + r)).toFixed(1)} % of the cap used${near ? ', near the cap' : ''}`}>
      <rect x="0" y="0" width="200" height="14" class="bar-bg" />
      <rect x="0" y="0" width={200 * u} height="14" class="bar-used" />
      <rect x={200 * u} y="0" width={200 * r} height="14" class="bar-reserved" />
    </svg>
  );
}

type SortKey = 'key' | 'used' | 'left';

export function LedgersPage() {
  const { reference } = useApp();
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [error, setError] = useState<unknown>();
  const [sort, setSort] = useState<SortKey>('used');
  // LPP is kept under both INT-7 readings of "ultimate consignee"; the default (the ultimate parent) is shown unless asked.
  const [ownerReading, setOwnerReading] = useState(false);
  const [open, setOpen] = useState<{ id: string; movements?: Movement[]; error?: unknown } | undefined>();
  const load = () => get<Account[]>('/v1/ledger/accounts').then(setAccounts, setError);
  useEffect(() => void load(), []);

  const lpp = useMemo(() => accounts.filter((a) => a.kind === 'lpp' && a.key.startsWith(ownerReading ? 'owner:' : 'ultimate_parent:')).sort((a, b) =>
    sort === 'key' ? a.key.localeCompare(b.key) : sort === 'left' ? Number(a.leftTpp) - Number(b.leftTpp) : Number(b.usedTpp) - Number(a.usedTpp)), [accounts, sort]);
  const byKind = (k: string) => accounts.filter((a) => a.kind === k);
  const showMovements = async (id: string) => {
    setOpen({ id });
    try {
      setOpen({ id, movements: await get<Movement[]>(`/v1/ledger/accounts/${encodeURIComponent(id)}/movements`) });
    } catch (e) {
      setOpen({ id, error: e });
    }
  };
  const row = (a: Account, extra?: string) => (
    <tr key={a.id} class={share(String(Number(a.usedTpp) + Number(a.reservedTpp)), a.capTpp) >= NEAR_CAP ? 'near-cap' : ''}>
      <th scope="row">{a.key.replace(/^(ultimate_parent|owner):/, '')}<span class="meta"> {a.period}</span></th>
      <td>{a.capTpp ? <Bar used={a.usedTpp} reserved={a.reservedTpp} cap={a.capTpp} label={a.key} /> : '—'}</td>
      <td class="num">{num(a.usedTpp)}</td><td class="num">{num(a.reservedTpp)}</td><td class="num">{num(a.capTpp)}</td><td class="num">{num(a.leftTpp)}</td>
      {extra !== undefined ? <td>{extra}</td> : null}
      <td><button type="button" class="small" onClick={() => showMovements(a.id)} aria-label={`Movements of ${a.id}`}>Movements</button></td>
    </tr>
  );
  const head = (extra?: string) => (
    <thead><tr><th scope="col">Account</th><th scope="col">Use of the cap</th><th scope="col">Used TPP</th><th scope="col">Reserved</th><th scope="col">Cap</th><th scope="col">Left</th>{extra ? <th scope="col">{extra}</th> : null}<th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
  );
  const f = reference.figures;
  return (
    <div class="page">
      <h1>Ledgers</h1>
      <ErrorBox error={error} />
      <section aria-labelledby="lpp-title">
        <h2 id="lpp-title">LPP: TPP received per ultimate consignee and calendar year</h2>
        <p>Cap {num(f.lppAnnualCap.tpp)} TPP a calendar year per ultimate consignee (<Citation text={f.lppAnnualCap.citation} />); at {Math.round(NEAR_CAP * 100)} % or more the row is marked as near the cap.</p>
        <div class="field inline"><label for="lpp-sort">Sort by</label>
          <select id="lpp-sort" value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value as SortKey)}>
            <option value="used">TPP used (most first)</option><option value="left">Room left (least first)</option><option value="key">Consignee</option>
          </select></div>
        <label class="check"><input type="checkbox" checked={ownerReading} onChange={(e) => setOwnerReading((e.target as HTMLInputElement).checked)} /> Count per owning entity instead of per ultimate parent (INT-7, the other reading of 740.29(h)(1))</label>
        {lpp.length ? <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on a narrow screen)"><table class="ledger" data-testid="lpp-table"><caption class="sr-only">LPP accounts</caption>{head()}<tbody>{lpp.map((a) => row(a))}</tbody></table></div> : <p>No LPP shipments recorded yet.</p>}
      </section>
      <section aria-labelledby="alloc-title">
        <h2 id="alloc-title">Country allocations (licenses, 2025 to 2027)</h2>
        <p>{num(f.countryAllocation.tpp)} TPP per country (<Citation text={f.countryAllocation.citation} />).</p>
        {byKind('country_allocation').length ? <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on a narrow screen)"><table class="ledger"><caption class="sr-only">Country allocations</caption>{head('Licensed as determinations count it')}<tbody>{byKind('country_allocation').map((a) => row(a, a.countryLicensedTpp ? `${num(a.countryLicensedTpp)} (left ${num(a.countryLeftTpp)})` : '—'))}</tbody></table></div> : <p>No licenses recorded.</p>}
      </section>
      <section aria-labelledby="aia-title">
        <h2 id="aia-title">AIA: cumulative TPP per consignee</h2>
        <p>Reporting to BIS applies from {num(f.aiaReporting.tpp)} TPP (<Citation text={f.aiaReporting.citation} />).</p>
        {byKind('aia').length ? (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on a narrow screen)"><table class="ledger"><caption class="sr-only">AIA accounts</caption>
            <thead><tr><th scope="col">Consignee</th><th scope="col">Against the reporting trigger</th><th scope="col">Cumulative TPP</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{byKind('aia').map((a) => (
              <tr key={a.id}><th scope="row">{a.key}</th><td><Bar used={a.usedTpp} reserved="0" cap={f.aiaReporting.tpp} label={`${a.key} against the AIA reporting trigger`} /></td><td class="num">{num(a.usedTpp)}</td>
                <td><button type="button" class="small" onClick={() => showMovements(a.id)} aria-label={`Movements of ${a.id}`}>Movements</button></td></tr>
            ))}</tbody></table></div>
        ) : <p>No AIA shipments recorded.</p>}
      </section>
      <section aria-labelledby="veu-title">
        <h2 id="veu-title">Data Center VEU: NVEU and UVEU</h2>
        {byKind('nveu').length + byKind('uveu').length ? <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on a narrow screen)"><table class="ledger"><caption class="sr-only">VEU accounts</caption>{head()}<tbody>{[...byKind('nveu'), ...byKind('uveu')].map((a) => row(a))}</tbody></table></div> : <p>No VEU installations recorded.</p>}
      </section>
      {open ? (
        <section aria-labelledby="mov-title" class="movements">
          <h2 id="mov-title" tabIndex={-1} ref={(el) => el?.focus()}>Movements of {open.id}</h2>
          <button type="button" class="close" onClick={() => setOpen(undefined)}>Close</button>
          <ErrorBox error={open.error} />
          {open.movements ? (
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on a narrow screen)"><table><caption class="sr-only">Movements</caption>
              <thead><tr><th scope="col">#</th><th scope="col">Kind</th><th scope="col">Used Δ</th><th scope="col">Reserved Δ</th><th scope="col">Date</th><th scope="col">Actor</th><th scope="col">Audit record</th></tr></thead>
              <tbody>{open.movements.map((m) => <tr key={m.seq}><td>{m.seq}</td><td>{m.kind}</td><td class="num">{num(m.usedDeltaTpp)}</td><td class="num">{num(m.reservedDeltaTpp)}</td><td>{m.onDate}</td><td>{m.actor}</td><td>{m.auditId ? <a href={`#/audit/${m.auditId}`}>{m.auditId.slice(0, 8)}</a> : '—'}</td></tr>)}</tbody>
            </table></div>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
