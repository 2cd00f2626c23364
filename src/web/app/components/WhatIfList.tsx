/** What would change the outcome, each change evaluated by the engine: "To ship under LPP: at most 1,699 units". */
import type { WhatIf } from '../api/types.js';
import { readable } from '../format.js';
import { Citation } from './Citation.js';

export function WhatIfList({ w, onApply, brief = false }: { w: WhatIf; onApply?: (changes: { path: string; to: unknown }[]) => void; brief?: boolean }) {
  const doable = w.exceptions.filter((e) => e.changes);
  const blocked = w.exceptions.filter((e) => !e.changes);
  return (
    <section class="what-if" aria-labelledby={brief ? 'whatif-brief-title' : 'whatif-title'}>
      <h2 id={brief ? 'whatif-brief-title' : 'whatif-title'}>What would change the outcome</h2>
      {doable.length === 0 && blocked.length === 0 && w.classification.length === 0 && w.missingFacts.length === 0 ? <p>Nothing to change: every license exception that could apply is available, or none could.</p> : null}
      {doable.length ? (
        <ul class="doable">
          {doable.map((e) => (
            <li key={e.code}>
              <strong>{readable(e.summary)}</strong>
              <span class="why-not"> {e.code} is not available now: {e.blockers.map((b) => `${b.condition} (${b.status.replace('_', ' ')})${b.detail ? `: ${readable(b.detail)}` : ''}`).join('; ')}</span>
              {e.evaluated ? <span class="meta"> Evaluated: outcome {e.evaluated.outcome.replace(/_/g, ' ')}.</span> : null}
              {onApply ? <button type="button" class="small" onClick={() => onApply(e.changes!.map((c) => ({ path: c.path, to: c.to })))}>Apply this change</button> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {blocked.length ? (
        <details open={!brief}>
          <summary>Why the other license exceptions are not available ({blocked.map((e) => e.code).join(', ')})</summary>
          <ul>
            {blocked.map((e) => (
              <li key={e.code}>
                <strong>{e.code}</strong>: {readable(e.summary)}
                <ul>{e.blockers.map((b) => <li key={b.condition}><span class={`pill ${b.status === 'unknown' ? 'unknown' : b.changeable ? 'met' : 'not_met'}`}>{b.status === 'unknown' ? 'not known yet' : b.changeable ? 'can change' : 'cannot change'}</span> {b.condition}: {readable(b.note)} <Citation text={b.citation} /></li>)}</ul>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {!brief && w.missingFacts.length ? (
        <>
          <h3>Missing facts, each answer evaluated</h3>
          <ul>{w.missingFacts.map((m) => <li key={m.path}><code>{m.path}</code>: {m.answers.map((a) => `${JSON.stringify(a.value)} → ${a.outcome.replace(/_/g, ' ')}${a.eligible.length ? ` (${a.eligible.join(', ')})` : ''}`).join('; ')}</li>)}</ul>
        </>
      ) : null}
      {w.classification.length ? (
        <details open={!brief}>
          <summary>Distance to the classification thresholds</summary>
          <ul>{w.classification.map((c, i) => <li key={i}>{readable(c.summary)}</li>)}</ul>
        </details>
      ) : null}
    </section>
  );
}
