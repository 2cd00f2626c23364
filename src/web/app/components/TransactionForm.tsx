/**
 * The transaction as a form a non-programmer can fill: the item (a catalog chip picked by name,
 * datasheet figures, or model weights), quantity, countries by name, each party's location,
 * headquarters and ultimate parent, end uses, routing and the date. Reads and writes the
 * transaction object directly, so that answering a missing fact or applying a what-if change
 * (which set fields by path) shows here too.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Transaction } from '../api/types.js';
import { storedParties, type StoredParty } from '../api/parties.js';
import { getPath, setPath } from '../paths.js';
import { num, words } from '../format.js';
import { useApp } from '../state.js';
import { Check, CountrySelect, Field, TextInput } from './Fields.js';

type ItemKind = 'chip' | 'datasheet' | 'weights';

const kindOf = (tx: Transaction): ItemKind => (tx.item?.type === 'model_weights' ? 'weights' : tx.item?.type === 'ic' && (tx.item as { model?: string }).model !== undefined ? 'chip' : 'datasheet');

const numberOrUndefined = (v: string): number | undefined => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

export function TransactionForm({ tx, onChange }: { tx: Transaction; onChange: (tx: Transaction) => void }) {
  const { chips, reference } = useApp();
  const set = (path: string, v: unknown) => onChange(setPath(tx, path, v));
  const kind = kindOf(tx);
  const model = (tx.item as { model?: string }).model;
  const [chipText, setChipText] = useState(() => chips.find((c) => c.id === model)?.name ?? '');
  useEffect(() => setChipText(chips.find((c) => c.id === model)?.name ?? (kind === 'chip' ? chipText : '')), [model]);
  const [parties, setParties] = useState<StoredParty[]>([]);
  useEffect(() => void storedParties('').then(setParties), []);
  const separateEndUser = tx.endUser !== undefined;
  const setKind = (k: ItemKind) => onChange({ ...tx, item: k === 'chip' ? { type: 'ic', model: chips[0]?.id ?? '' } : k === 'datasheet' ? { type: 'ic', bitLength: 8 } : { type: 'model_weights', trainingOperations: '' } } as Transaction);
  const chipLabel = (c: (typeof chips)[number]) => `${c.name}: TPP ${num(c.tpp)}, PD ${c.performanceDensity ?? '—'}, ${c.eccn}`;

  return (
    <form class="tx-form" onSubmit={(e) => e.preventDefault()} aria-label="Transaction">
      <fieldset>
        <legend>Shipment</legend>
        <div class="grid">
          <TextInput label="Transaction id / PO" value={tx.id} onChange={(v) => set('id', v)} />
          <TextInput label="Date" type="date" value={tx.date} onChange={(v) => set('date', v)} />
          <Field label="Activity">
            {(id) => (
              <select id={id} value={tx.activity ?? 'export'} onChange={(e) => set('activity', (e.target as HTMLSelectElement).value)}>
                {reference.activities.map((a) => <option key={a} value={a}>{words(a)}</option>)}
              </select>
            )}
          </Field>
          {tx.activity && tx.activity !== 'export' && tx.activity !== 'deemed_export' ? <CountrySelect label="From (country)" value={tx.from} onChange={(v) => set('from', v)} /> : null}
          <CountrySelect label="Destination country" value={tx.to} onChange={(v) => set('to', v)} />
        </div>
      </fieldset>

      <fieldset>
        <legend>Item</legend>
        <div class="segmented" role="radiogroup" aria-label="How the item is described">
          {(['chip', 'datasheet', 'weights'] as const).map((k) => (
            <label key={k}><input type="radio" name="item-kind" checked={kind === k} onChange={() => setKind(k)} /> {k === 'chip' ? 'Chip from the catalog' : k === 'datasheet' ? 'Datasheet figures' : 'AI model weights'}</label>
          ))}
        </div>
        {kind === 'chip' ? (
          <div class="grid">
            <Field label="Chip (type to search the catalog)" hint="TPP, performance density and classification are shown for each chip">
              {(id) => (
                <>
                  <input id={id} list={`${id}-list`} value={chipText} aria-describedby={`${id}-hint`}
                    onInput={(e) => {
                      const v = (e.target as HTMLInputElement).value;
                      setChipText(v);
                      const c = chips.find((x) => x.name === v || chipLabel(x) === v || x.id === v);
                      if (c) onChange(setPath(tx, 'item', { type: 'ic', model: c.id }));
                    }} />
                  <datalist id={`${id}-list`}>{chips.map((c) => <option key={c.id} value={c.name} label={chipLabel(c)} />)}</datalist>
                </>
              )}
            </Field>
            <p class="chip-facts" aria-live="polite">{model ? (() => { const c = chips.find((x) => x.id === model); return c ? chipLabel(c) : ''; })() : 'No chip chosen yet.'}</p>
          </div>
        ) : null}
        {kind === 'datasheet' ? (
          <div class="grid">
            <TextInput label="Dense TOPS (or TFLOPS) at the precision below" type="number" step="any" value={(tx.item as { tops?: number }).tops || ''} onChange={(v) => set('item.tops', numberOrUndefined(v))} />
            <TextInput label="Bit length of that precision" type="number" value={(tx.item as { bitLength?: number }).bitLength} onChange={(v) => set('item.bitLength', numberOrUndefined(v))} />
            <TextInput label="Applicable die area (mm²)" type="number" step="any" value={(tx.item as { dieAreaMm2?: number }).dieAreaMm2} onChange={(v) => set('item.dieAreaMm2', numberOrUndefined(v))} />
            <Field label="Designed or marketed for datacenters?">
              {(id) => (
                <select id={id} value={String((tx.item as { datacenter?: boolean }).datacenter ?? '')} onChange={(e) => { const v = (e.target as HTMLSelectElement).value; set('item.datacenter', v === '' ? undefined : v === 'true'); }}>
                  <option value="">(not given)</option><option value="true">Yes</option><option value="false">No</option>
                </select>
              )}
            </Field>
          </div>
        ) : null}
        {kind === 'weights' ? (
          <div class="grid">
            <TextInput label="Training operations" hint="exact, e.g. 1.2e26" value={(tx.item as { trainingOperations?: string }).trainingOperations} onChange={(v) => set('item.trainingOperations', v.trim() || undefined)} />
            <Field label="Published?">
              {(id) => (
                <select id={id} value={String((tx.item as { published?: boolean }).published ?? '')} onChange={(e) => { const v = (e.target as HTMLSelectElement).value; set('item.published', v === '' ? undefined : v === 'true'); }}>
                  <option value="">(not given)</option><option value="true">Yes</option><option value="false">No</option>
                </select>
              )}
            </Field>
          </div>
        ) : null}
        {kind !== 'weights' ? <TextInput label="Quantity (units)" type="number" min={1} value={tx.quantity} onChange={(v) => set('quantity', numberOrUndefined(v))} /> : null}
      </fieldset>

      <PartyFields title="Consignee" path="consignee" tx={tx} onChange={onChange} parties={parties} />
      <Check label="The end user is a different party from the consignee" checked={separateEndUser} onChange={(v) => onChange(setPath(tx, 'endUser', v ? { country: tx.to } : undefined))} />
      {separateEndUser ? <PartyFields title="End user" path="endUser" tx={tx} onChange={onChange} parties={parties} /> : null}

      <fieldset>
        <legend>End uses and routing</legend>
        <div class="checks">
          {reference.endUses.map((u) => (
            <Check key={u} label={words(u)} checked={(tx.endUses ?? []).includes(u as never)}
              onChange={(on) => { const cur = new Set(tx.endUses ?? []); if (on) cur.add(u as never); else cur.delete(u as never); set('endUses', cur.size ? [...cur] : undefined); }} />
          ))}
        </div>
        <Check label="Shipped through a distributor or reseller" checked={tx.viaDistributor === true} onChange={(v) => set('viaDistributor', v || undefined)} />
        <Check label="A part 744 end use or end user is involved" checked={tx.facts?.part744Concern === true} onChange={(v) => set('facts.part744Concern', v || undefined)} />
      </fieldset>
    </form>
  );
}

function PartyFields({ title, path, tx, onChange, parties }: { title: string; path: 'consignee' | 'endUser'; tx: Transaction; onChange: (tx: Transaction) => void; parties: StoredParty[] }) {
  const set = (field: string, v: unknown) => onChange(setPath(tx, `${path}.${field}`, v));
  const v = (field: string) => getPath(tx, `${path}.${field}`) as string | undefined;
  return (
    <fieldset>
      <legend>{title}</legend>
      {parties.length ? (
        <Field label={`Pick a stored party as the ${title.toLowerCase()}`}>
          {(id) => (
            <select id={id} onChange={(e) => { const p = parties.find((x) => x.id === (e.target as HTMLSelectElement).value); if (p) onChange(setPath(tx, path, { ...p })); }}>
              <option value="">(enter the facts below)</option>
              {parties.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          )}
        </Field>
      ) : null}
      <div class="grid">
        <TextInput label="Name" value={v('name')} onChange={(x) => set('name', x)} />
        <TextInput label="Identifier (for the ledgers)" value={v('id')} onChange={(x) => set('id', x)} />
        <CountrySelect label="Located in" value={v('country')} onChange={(x) => set('country', x)} />
        <CountrySelect label="Headquartered in" value={v('headquarters')} onChange={(x) => set('headquarters', x)} />
        <CountrySelect label="Ultimate parent headquartered in" value={v('ultimateParentHeadquarters')} onChange={(x) => set('ultimateParentHeadquarters', x)} />
        <TextInput label="Ultimate parent identifier" value={v('ultimateParentId')} onChange={(x) => set('ultimateParentId', x)} />
        <Field label="Sector">
          {(id) => (
            <select id={id} value={v('sector') ?? ''} onChange={(e) => set('sector', (e.target as HTMLSelectElement).value || undefined)}>
              <option value="">(not given)</option><option value="private">Private sector</option><option value="government">Government</option>
            </select>
          )}
        </Field>
      </div>
    </fieldset>
  );
}
