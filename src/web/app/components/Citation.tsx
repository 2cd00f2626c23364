/** A citation as links: each pinpoint opens its paragraph on the rule-text page (/rule). */
import { anchorFor, anchorId, pinpoints } from '../../citations.js';
import { useApp } from '../state.js';

export function Citation({ text }: { text: string }) {
  const { anchors } = useApp();
  const points = pinpoints(text);
  if (points.length === 0) return <span class="cite">{text}</span>;
  return (
    <span class="cite" title={text}>
      <span class="print-only-inline">{text}</span>
      <span class="no-print">{points.map((p, i) => {
        const a = anchorFor(p.key, anchors);
        return (
          <>
            {i > 0 ? '; ' : ''}
            {a ? <a href={`/rule#${anchorId(a)}`} target="_blank" rel="noopener">{p.key === 'preamble' ? '90 FR 4544 preamble' : p.text.startsWith('part') || /^\d[A-E]/.test(p.text) ? p.text : `§ ${p.text}`}</a> : p.text}
          </>
        );
      })}</span>
    </span>
  );
}
