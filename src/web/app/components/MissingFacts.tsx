/** Each missing fact as a question; answering it re-evaluates the determination in place. */
import { useState } from 'preact/hooks';
import type { Determination } from '../api/types.js';
import { answerKind, question } from '../format.js';
import { useApp } from '../state.js';

export function MissingFacts({ d, onAnswer }: { d: Determination; onAnswer: (path: string, value: unknown) => void }) {
  if (d.missingFacts.length === 0) return null;
  return (
    <section class="missing" aria-labelledby="missing-title">
      <h2 id="missing-title">Facts that would decide the answer</h2>
      <ul>{d.missingFacts.map((m) => <Question key={m.path} path={m.path} why={m.why} onAnswer={onAnswer} />)}</ul>
    </section>
  );
}

function Question({ path, why, onAnswer }: { path: string; why: string; onAnswer: (path: string, value: unknown) => void }) {
  const { reference } = useApp();
  const kind = answerKind(path);
  const [value, setValue] = useState('');
  const id = `q-${path.replace(/[^A-Za-z0-9]/g, '-')}`;
  return (
    <li class="question">
      <p id={`${id}-label`}><strong>{question(path)}</strong> <span class="meta">({why}; field <code>{path}</code>)</span></p>
      {kind === 'boolean' ? (
        <div class="answers" role="group" aria-labelledby={`${id}-label`}>
          <button type="button" onClick={() => onAnswer(path, true)}>Yes</button>
          <button type="button" onClick={() => onAnswer(path, false)}>No</button>
        </div>
      ) : kind === 'sector' ? (
        <div class="answers" role="group" aria-labelledby={`${id}-label`}>
          <button type="button" onClick={() => onAnswer(path, 'private')}>Private sector</button>
          <button type="button" onClick={() => onAnswer(path, 'government')}>Government</button>
        </div>
      ) : (
        <form class="answers" onSubmit={(e) => { e.preventDefault(); if (value !== '') onAnswer(path, kind === 'number' ? Number(value) : value); }}>
          {kind === 'country' ? (
            <select id={id} aria-labelledby={`${id}-label`} value={value} onChange={(e) => setValue((e.target as HTMLSelectElement).value)}>
              <option value="">(choose a country)</option>
              {reference.countries.map((c) => <option key={c.code} value={c.code}>{c.name}</option>)}
            </select>
          ) : (
            kind === 'number'
              ? <input id={id} aria-labelledby={`${id}-label`} type="number" step="any" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
              : <input id={id} aria-labelledby={`${id}-label`} type="text" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
          )}
          <button type="submit">Answer</button>
        </form>
      )}
    </li>
  );
}
