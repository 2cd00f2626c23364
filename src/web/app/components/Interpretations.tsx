/** The interpretations the answer relied on, each a toggle between its readings that re-evaluates. */
import type { Determination } from '../api/types.js';
import { useApp } from '../state.js';
import { Citation } from './Citation.js';

export function Interpretations({ d, readings, onToggle }: { d: Determination; readings: Record<string, string>; onToggle: (id: string, reading: string) => void }) {
  const { ruleset } = useApp();
  if (d.interpretations.length === 0) return null;
  return (
    <section class="interpretations" aria-labelledby="int-title">
      <h2 id="int-title">Interpretations relied on</h2>
      <p class="note">Where the rule's text allows more than one reading, aidr names the reading it used. Choose another to see what changes.</p>
      <ul>
        {d.interpretations.map((u) => {
          const def = ruleset.interpretations.find((i) => i.id === u.id);
          const id = `int-${u.id}`;
          return (
            <li key={u.id}>
              <label for={id}><strong>{u.id}</strong>: {u.question}</label>
              <div class="int-row">
                <select id={id} value={readings[u.id] ?? u.reading} onChange={(e) => onToggle(u.id, (e.target as HTMLSelectElement).value)}>
                  {(def?.readings ?? [{ id: u.reading, label: u.label }]).map((r) => <option key={r.id} value={r.id}>{r.label}{r.id === def?.default ? ' (default)' : ''}</option>)}
                </select>
                {def ? <Citation text={def.citation} /> : null}
              </div>
              {u.changesOutcome ? <p class="meta">Another reading changes: {(u.changes ?? []).join(', ')}{u.alternatives?.length ? ` (${u.alternatives.map((a) => `${a.reading}: ${a.outcome.replace(/_/g, ' ')}`).join('; ')})` : ''}.</p>
                : u.changesObligations ? <p class="meta">Another reading changes the obligations.</p> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
