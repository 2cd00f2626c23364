/**
 * A determination as an officer reads and files it: the headline (one line per regime when the
 * codified and the enforced regime answer differently; one answer, said to hold under both, when
 * they agree), the exceptions with their conditions and citations, obligations
 * as a checklist, red flags, missing facts, interpretations, the explanation tree, warnings.
 * `changed` names the parts that differ from the previous answer (highlighted).
 */
import type { ComponentChildren } from 'preact';
import type { Determination, ExceptionResult, Step, WithRegimes } from '../api/types.js';
import { num, OUTCOME_WORDS, readable, words } from '../format.js';
import { Citation } from './Citation.js';

export type Changed = ReadonlySet<string>;

const mark = (changed: Changed | undefined, key: string) => (changed?.has(key) ? ' changed' : '');
const Badge = ({ on }: { on: boolean }) => (on ? <span class="badge-changed">changed</span> : null);

export function Headline({ d, changed }: { d: Determination & WithRegimes; changed?: Changed }) {
  const c = d.classification;
  const eligible = d.exceptions.filter((e) => e.status === 'eligible').map((e) => e.code);
  if (d.regimes && d.regimes.length > 1 && d.regimesDiffer) {
    return (
      <section class={`headline${mark(changed, 'outcome')}`} aria-labelledby="headline-title">
        <h2 id="headline-title">Answer{d.regimesDiffer ? ': the regimes differ' : ''} <Badge on={!!changed?.has('outcome')} /></h2>
        <ul class="regimes">
          {d.regimes.map((r) => (
            <li key={r.id} class={`outcome-${r.outcome}`} data-regime={r.id}>
              <strong>{r.id === 'codified' ? 'As written (codified)' : r.id === 'enforced' ? 'As enforced' : r.id}{d.regime === r.id ? ' (top-level answer)' : ''}: </strong>
              <span class="outcome">{OUTCOME_WORDS[r.outcome as keyof typeof OUTCOME_WORDS] ?? words(r.outcome)}</span>
              {r.eligibleExceptions.length ? `: ${r.eligibleExceptions.join(', ')}` : ''}
              <span class="meta"> ECCN {r.eccn ?? 'none'}; license required: {r.licenseRequired}; review policy: {words(r.reviewPolicy)}</span>
              {r.citations.length ? <span class="meta"> <Citation text={r.citations.join('; ')} /></span> : null}
              {r.basis?.length ? <span class="meta"> Basis: {r.basis.join(', ')}</span> : null}
            </li>
          ))}
        </ul>
        <p class="meta">The details below follow the {d.regime === 'enforced' ? 'enforced regime' : 'codified text'}.</p>
      </section>
    );
  }
  return (
    <section class={`headline outcome-${d.outcome}${mark(changed, 'outcome')}`} aria-labelledby="headline-title">
      <h2 id="headline-title"><span class="outcome">{OUTCOME_WORDS[d.outcome]}</span>{eligible.length ? `: ${eligible.join(', ')}` : ''} <Badge on={!!changed?.has('outcome')} /></h2>
      <p>
        ECCN <strong>{c.eccn ?? (c.status === 'unknown' ? `unknown (${(c.candidates ?? []).map((x) => x ?? 'not controlled').join(' or ')})` : 'none of 3A090/4A090/4E091')}</strong>
        {c.tppPerUnit !== undefined ? <> · TPP per unit {num(c.tppPerUnit)}</> : null}
        {c.aggregateTpp !== undefined ? <> · aggregate {num(c.aggregateTppExact ?? c.aggregateTpp)}</> : null}
        {c.performanceDensity !== undefined ? <> · PD {c.performanceDensity}</> : null}
        {c.trainingOperations !== undefined ? <> · training operations {c.trainingOperations}</> : null}
      </p>
      <p>
        Subject to the EAR: <strong>{d.subjectToEar}</strong> · License required: <strong class={mark(changed, 'licenseRequired')}>{d.licenseRequired}</strong> · Review policy: <strong class={mark(changed, 'reviewPolicy')}>{words(d.reviewPolicy)}</strong>
      </p>
      {d.allocation ? <p>Country allocation ({d.allocation.country}): cap {num(d.allocation.cap)}, licensed {num(d.allocation.licensedTpp)}, remaining {num(d.allocation.remaining)}</p> : null}
      {d.regimes && d.regimes.length > 1 ? <p class="meta regimes-agree">The same answer as written (codified) and as BIS enforces it.</p> : null}
    </section>
  );
}

function ExceptionCard({ e, changed }: { e: ExceptionResult; changed?: Changed }) {
  return (
    <section class={`exception status-${e.status}${mark(changed, `exceptions.${e.code}`)}`} aria-labelledby={`exc-${e.code}`}>
      <h3 id={`exc-${e.code}`}>{e.code}: {words(e.status)} <Badge on={!!changed?.has(`exceptions.${e.code}`)} /></h3>
      <table class="conditions">
        <caption class="sr-only">Conditions of License Exception {e.code}</caption>
        <thead><tr><th scope="col">Condition</th><th scope="col">Result</th><th scope="col">Why</th><th scope="col">Citation</th></tr></thead>
        <tbody>
          {e.conditions.map((k) => (
            <tr key={k.id} class={`cond-${k.status}`}>
              <th scope="row">{k.id}</th>
              <td><span class={`pill ${k.status}`}>{words(k.status)}</span></td>
              <td>{readable(k.detail)}</td>
              <td><Citation text={k.citation} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Obligations({ d }: { d: Determination }) {
  const withOb = d.exceptions.filter((e) => e.obligations.length > 0);
  if (withOb.length === 0) return null;
  return (
    <section aria-labelledby="obligations-title" class="obligations">
      <h2 id="obligations-title">Obligations</h2>
      {withOb.length > 1 ? <p class="note">A shipment uses one license exception: only the obligations of the one used ({withOb.map((e) => e.code).join(' or ')}) apply.</p> : null}
      {withOb.map((e) => (
        <fieldset key={e.code} class="checklist">
          <legend>Under {e.code} ({words(e.status)})</legend>
          {e.obligations.map((o, i) => (
            <label key={i} class="obligation">
              <input type="checkbox" />
              <span>
                <strong>{o.what}</strong>
                <span class="meta"> When: {o.when}{o.deadline ? ` (deadline: ${o.deadline})` : ''}. To: {o.to}.{o.subject ? <> E-mail subject: <q>{o.subject}</q>.</> : null} </span>
                <Citation text={o.citation} />
              </span>
            </label>
          ))}
        </fieldset>
      ))}
    </section>
  );
}

function Tree({ steps }: { steps: Step[] }) {
  return (
    <ul class="tree">
      {steps.map((s, i) => (
        <li key={i}>
          {s.children?.length ? (
            <details>
              <summary><strong>{s.rule}</strong>: {s.result}</summary>
              <p><Citation text={s.citation} />{s.detail ? <span class="meta"> {readable(s.detail)}</span> : null}</p>
              <Tree steps={s.children} />
            </details>
          ) : (
            <p><strong>{s.rule}</strong>: {s.result} <Citation text={s.citation} />{s.detail ? <span class="meta"> {readable(s.detail)}</span> : null}</p>
          )}
        </li>
      ))}
    </ul>
  );
}

export function Section({ title, id, children }: { title: string; id: string; children: ComponentChildren }) {
  return <section aria-labelledby={id}><h2 id={id}>{title}</h2>{children}</section>;
}

/** Everything after the headline: exceptions, obligations, red flags, explanation, warnings. */
export function DeterminationBody({ d, changed }: { d: Determination; changed?: Changed }) {
  return (
    <>
      {d.exceptions.length ? (
        <Section title="License exceptions" id="exceptions-title">
          {d.exceptions.map((e) => <ExceptionCard key={e.code} e={e} changed={changed} />)}
        </Section>
      ) : null}
      <Obligations d={d} />
      {d.redFlags.length ? (
        <Section title="Red flags" id="redflags-title">
          <ul>{d.redFlags.map((r) => <li key={r.id}><strong>{r.id} ({r.status})</strong>: {readable(r.detail)} <em>Action:</em> {r.action} <Citation text={r.citation} /></li>)}</ul>
        </Section>
      ) : null}
      {d.explanation?.length ? (
        <Section title="Why (explanation)" id="why-title">
          <Tree steps={d.explanation} />
        </Section>
      ) : null}
      {d.warnings.length ? (
        <section aria-labelledby="warnings-title" class={mark(changed, 'warnings').trim()}>
          <h2 id="warnings-title">Warnings <Badge on={!!changed?.has('warnings')} /></h2>
          <ul class="warnings">{d.warnings.map((w, i) => <li key={i}>{readable(w)}</li>)}</ul>
        </section>
      ) : null}
    </>
  );
}

/** The ruleset line the printed record carries. */
export function RulesetLine({ d, changed }: { d: Determination; changed?: Changed }) {
  return <p class={`ruleset${mark(changed, 'ruleset')}`}>Ruleset {d.ruleset.id}, version {d.ruleset.version}, as of {d.ruleset.asOf}. {d.ruleset.status} <Badge on={!!changed?.has('ruleset')} /></p>;
}

/** What differs between two determinations, as the keys the components mark. */
export function changesBetween(a: Determination | undefined, b: Determination): Set<string> {
  const out = new Set<string>();
  if (!a) return out;
  if (a.outcome !== b.outcome) out.add('outcome');
  if (a.licenseRequired !== b.licenseRequired) out.add('licenseRequired');
  if (a.reviewPolicy !== b.reviewPolicy) out.add('reviewPolicy');
  for (const e of b.exceptions) {
    const o = a.exceptions.find((x) => x.code === e.code);
    if (!o || o.status !== e.status || o.obligations.length !== e.obligations.length) out.add(`exceptions.${e.code}`);
  }
  if (a.ruleset.status !== b.ruleset.status) out.add('ruleset');
  if (a.warnings.join('\n') !== b.warnings.join('\n')) out.add('warnings');
  if (a.missingFacts.map((m) => m.path).join() !== b.missingFacts.map((m) => m.path).join()) out.add('missingFacts');
  return out;
}
