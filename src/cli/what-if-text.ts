/** `aidr check --what-if --format text`: the changes of fact that would change the answer, for a person. */
import type { WhatIf } from '../engine/what-if.js';

export function renderWhatIfText(w: WhatIf, id?: string): string {
  const out: string[] = [`${id ? `${id}: ` : ''}what would change the outcome (${w.outcome.replace(/_/g, ' ')}; ECCN ${w.eccn ?? 'none'})`];
  if (w.exceptions.length) {
    out.push('', 'License exceptions not available');
    for (const e of w.exceptions) {
      out.push(`- ${e.code} (${e.status.replace('_', ' ')}): ${e.summary}`);
      for (const b of e.blockers) out.push(`    ${b.changeable ? 'can change' : 'cannot change'}: ${b.condition} (${b.status.replace('_', ' ')}) [${b.citation}]: ${b.note}`);
      if (e.evaluated) out.push(`    evaluated with the change: outcome ${e.evaluated.outcome.replace(/_/g, ' ')}, ${e.code} ${e.evaluated.status.replace('_', ' ')}`);
    }
  }
  if (w.missingFacts.length) {
    out.push('', 'Missing facts, each answer evaluated');
    for (const m of w.missingFacts) out.push(`- ${m.path}: ${m.answers.map((a) => `${JSON.stringify(a.value)} → ${a.outcome.replace(/_/g, ' ')}${a.eligible.length ? ` (${a.eligible.join(', ')})` : ''}`).join('; ')}`);
  }
  if (w.classification.length) {
    out.push('', 'Classification thresholds');
    for (const c of w.classification) out.push(`- ${c.summary}`);
  }
  out.push('', `(${w.evaluations} evaluations)`);
  return `${out.join('\n')}\n`;
}
