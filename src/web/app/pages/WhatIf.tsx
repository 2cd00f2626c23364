/** What-if: for the transaction on the Check page, every change of fact that would change the outcome, each evaluated by the engine. */
import { useEffect, useState } from 'preact/hooks';
import { post } from '../api/client.js';
import type { WhatIf } from '../api/types.js';
import { ErrorBox } from '../components/Fields.js';
import { TxSummary } from '../components/TxSummary.js';
import { WhatIfList } from '../components/WhatIfList.js';
import { setPath } from '../paths.js';
import { useApp } from '../state.js';
import { OUTCOME_WORDS } from '../format.js';

export function WhatIfPage() {
  const { tx, setTx } = useApp();
  const [w, setW] = useState<WhatIf | undefined>();
  const [error, setError] = useState<unknown>();
  const run = async (t = tx) => {
    setError(undefined);
    try {
      setW(await post<WhatIf>('/v1/what-if', { transaction: t }));
    } catch (e) {
      setError(e);
      setW(undefined);
    }
  };
  useEffect(() => void run(), []);
  return (
    <div class="page">
      <h1>What would have to change</h1>
      <p>For the transaction on the <a href="#/check">Check</a> page. Every change below was evaluated by the engine on the changed transaction; facts the exporter cannot change (a destination's country group, where a party is headquartered, the item's design) are named as such.</p>
      <TxSummary tx={tx} />
      <ErrorBox error={error} />
      {w ? (
        <>
          <p class="headline-line">Now: <strong>{OUTCOME_WORDS[w.outcome]}</strong> (ECCN {w.eccn ?? 'none'}); {w.evaluations} evaluations.</p>
          <WhatIfList w={w} onApply={(changes) => { let t = tx; for (const c of changes) t = setPath(t, c.path, c.to); setTx(t); void run(t); }} />
        </>
      ) : null}
    </div>
  );
}
