/** The transaction in one paragraph, for the printed record. */
import type { Transaction } from '../api/types.js';
import { countryName, useApp } from '../state.js';
import { num, words } from '../format.js';

export function TxSummary({ tx }: { tx: Transaction }) {
  const app = useApp();
  const item = tx.item as { type: string; model?: string; tpp?: number; tops?: number; bitLength?: number; trainingOperations?: string };
  const itemText = item.model ? app.chips.find((c) => c.id === item.model)?.name ?? item.model
    : item.type === 'model_weights' ? `AI model weights (${item.trainingOperations ?? '?'} training operations)`
      : item.tops ? `IC of ${item.tops} TOPS at ${item.bitLength} bits` : item.tpp ? `IC of TPP ${item.tpp}` : item.type;
  const c = tx.consignee;
  return (
    <dl class="tx-summary">
      <dt>Transaction</dt><dd>{tx.id ?? '(no id)'}, {words(tx.activity ?? 'export')} on {tx.date ?? 'today'} to {countryName(app, tx.to)}</dd>
      <dt>Item</dt><dd>{num(tx.quantity ?? 1)} × {itemText}</dd>
      <dt>Consignee</dt><dd>{c?.name ?? '(no name)'}{c?.id ? ` [${c.id}]` : ''}: located in {countryName(app, c?.country ?? tx.to)}, headquartered in {countryName(app, c?.headquarters) || '(not given)'}, ultimate parent in {countryName(app, c?.ultimateParentHeadquarters) || '(not given)'}</dd>
      {tx.endUses?.length ? <><dt>End uses</dt><dd>{tx.endUses.map(words).join(', ')}</dd></> : null}
    </dl>
  );
}
