/** The determination for a person: outcome first, then why, then what to do. */
import type { Determination, RegimeAnswer, RegimeId } from '../contract/determination.js';
import { VINTAGES, vintageOn } from '../data/regimes.js';
import { statusSentence, statusSources } from '../engine/legal-status.js';

const width = (rows: string[][], i: number) => Math.max(...rows.map((r) => (r[i] ?? '').length));

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => width(rows, i));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

const OUTCOME: Record<Determination['outcome'], string> = {
  not_subject: 'NOT SUBJECT to the EAR under this analysis',
  no_license_required: 'NO LICENSE REQUIRED',
  license_exception: 'LICENSE REQUIRED, but a LICENSE EXCEPTION is available',
  license_required: 'LICENSE REQUIRED (none of the license exceptions aidr evaluates is available)',
  indeterminate: 'INDETERMINATE: the answer depends on facts not given',
};

const REGIME_NAME: Record<RegimeId, string> = { codified: 'As written', enforced: 'As BIS enforces it' };

/** The outcome in words, qualified where the JSON is: an unknown requirement, a rule not yet enforced. */
function headline(d: Determination): string {
  let h = d.outcome === 'license_exception' && d.licenseRequired === 'unknown' ? 'A LICENSE MAY BE REQUIRED; if it is, a LICENSE EXCEPTION covers it' : OUTCOME[d.outcome];
  if (!d.ruleset.inForce && d.outcome === 'indeterminate') h = `${h} (${vintageOn(d.ruleset.asOf) ? 'the AI Diffusion rule is not in force' : `the rules before ${VINTAGES[0]!.from} are not modeled`} on ${d.ruleset.asOf})`;
  // The compliance date is 90 FR 4544's: it qualifies the codified answer only.
  else if (d.regime === 'codified' && !d.ruleset.complianceRequired && d.ruleset.inForce && (d.outcome === 'license_exception' || d.outcome === 'license_required')) h = `${h} once compliance is required (not yet on ${d.ruleset.asOf}; see the warnings)`;
  return h;
}

/**
 * Why a determination's license requirement came out as it did, in a few words: the findings of
 * its license-requirement steps that match the answer ("3A090.a to Brazil (BR), outside the
 * D-set"). Empty without an explanation (lean output) or when no step says it.
 */
export function licenseReason(det: Determination | undefined): string {
  const want = det?.licenseRequired === 'yes' ? 'license required' : det?.licenseRequired === 'no' ? 'no license' : undefined;
  if (!det?.explanation || !want) return '';
  const found = det.explanation.filter((s) => s.result.startsWith(want) && s.detail).map((s) => firstClause(s.detail!)).filter(Boolean);
  return [...new Set(found)].join('; ');
}

/** A finding's first clause: up to the first ': ' or sentence end outside parentheses. */
function firstClause(text: string): string {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (ch === ':' || ch === '.') && (i + 1 === text.length || text[i + 1] === ' ')) return text.slice(0, i).trim();
  }
  return text.trim();
}

/**
 * One regime's answer in a line: the outcome, then why in a few words (the finding that decided
 * the license requirement, when the determination under that regime is at hand; the exceptions
 * available, or for the regime the details follow, the ones that are not; the review policy) and
 * its citations.
 */
function regimeHeadline(d: Determination, r: RegimeAnswer, under?: Determination): string {
  let h = r.outcome === 'license_exception' && r.licenseRequired === 'unknown' ? 'A LICENSE MAY BE REQUIRED; if it is, a LICENSE EXCEPTION covers it' : OUTCOME[r.outcome];
  if (!r.complianceRequired && (r.outcome === 'license_exception' || r.outcome === 'license_required')) {
    h = `${h} once compliance is required (not yet on ${d.ruleset.asOf})`;
  }
  const why: string[] = [];
  const reason = licenseReason(under);
  if (reason) why.push(reason);
  if (r.eligibleExceptions.length) why.push(`${r.eligibleExceptions.join(', ')} available`);
  else if (r.id === d.regime && r.licenseRequired !== 'no') {
    const notAvailable = d.exceptions.filter((e) => e.status === 'not_eligible').map((e) => e.code);
    if (notAvailable.length) why.push(`${notAvailable.join(', ')} not available`);
  }
  if (r.reviewPolicy) why.push(`review: ${r.reviewPolicy.replace(/_/g, ' ')}`);
  const cites = r.citations.length ? ` [${r.citations.join('; ')}]` : '';
  return `${REGIME_NAME[r.id]}: ${h}${why.length ? ` — ${why.join('; ')}` : ''}.${cites}`;
}

/**
 * The headline lines: one when the regimes agree, one per regime (and which one the details
 * follow) when they differ. `other` is the same transaction determined under the other regime,
 * when the caller has it, for that regime's reason.
 */
function headlines(d: Determination, other?: Determination): string[] {
  const prefix = d.id ? `${d.id}: ` : '';
  if (!d.regimesDiffer || d.regimes.length < 2) return [`${prefix}${headline(d)}`];
  return [
    `${prefix}the codified and the enforced regime answer differently on ${d.ruleset.asOf}`,
    ...d.regimes.map((r) => `  ${regimeHeadline(d, r, r.id === d.regime ? d : other?.regime === r.id ? other : undefined)}`),
    `  The details below follow ${d.regime === 'codified' ? 'the codified text (--regime enforced for the other)' : 'the enforced regime (--regime codified for the other)'}.`,
  ];
}

/** `other`: optionally, the same transaction determined under the other regime (its headline then says why). */
export function renderText(d: Determination, other?: Determination): string {
  const out: string[] = [];
  const c = d.classification;
  out.push(...headlines(d, other));
  out.push('');
  out.push(`As of ${d.ruleset.asOf} (${d.ruleset.version}). ${d.ruleset.status}`);
  out.push(`Regimes: ${statusSentence(d.ruleset.asOf)} This answer: ${d.regime}${d.regimesDiffer ? '' : ' (the other regime gives the same)'}.`);

  const figures = [
    c.tppPerUnit !== undefined ? `TPP per unit ${c.tppPerUnit}` : '',
    c.aggregateTpp !== undefined ? `aggregate TPP ${c.aggregateTppExact ?? c.aggregateTpp}` : '',
    c.performanceDensity !== undefined ? `PD ${c.performanceDensity}` : '',
    c.trainingOperations !== undefined ? `training operations ${c.trainingOperations}` : '',
  ].filter(Boolean);
  out.push(`Classification: ${c.eccn ?? (c.status === 'unknown' ? `unknown (${(c.candidates ?? []).map((x) => x ?? 'not controlled').join(' or ')})` : 'not within 3A090/4A090/4E091')}${figures.length ? `; ${figures.join(', ')}` : ''}`);
  // A review policy applies to a license application: under an unknown requirement it is conditional.
  const policy = d.reviewPolicy ? `${d.reviewPolicy.replace(/_/g, ' ')}${d.licenseRequired === 'unknown' ? ' (if a license is required)' : ''}` : '-';
  out.push(`Subject to the EAR: ${d.subjectToEar}   License required: ${d.licenseRequired}   Review policy: ${policy}`);
  if (d.complianceFrom) out.push(`Compliance required from ${d.complianceFrom}: the answer above applies from that date.`);
  if (d.allocation) out.push(`Country allocation (${d.allocation.country}): cap ${d.allocation.cap}, licensed ${d.allocation.licensedTpp ?? 'unknown'}, remaining ${d.allocation.remaining ?? 'unknown'}`);

  if (d.exceptions.length) {
    out.push('', 'License exceptions');
    const rows = [['code', 'status', 'condition', 'result', 'citation']];
    for (const e of d.exceptions) {
      e.conditions.forEach((k, i) => rows.push([i === 0 ? e.code : '', i === 0 ? e.status.replace('_', ' ') : '', k.id, k.status.replace('_', ' '), k.citation]));
    }
    out.push(table(rows));
    const withObligations = d.exceptions.filter((x) => x.obligations.length);
    const eligible = d.exceptions.filter((x) => x.status === 'eligible');
    if (eligible.length > 1) out.push('', `A shipment uses one license exception: only the obligations of the one used (${eligible.map((x) => x.code).join(' or ')}) apply.`);
    for (const e of withObligations) {
      out.push('', `Obligations under ${e.code} (${e.status.replace('_', ' ')})`);
      for (const o of e.obligations) {
        out.push(`- ${o.what}`);
        out.push(`  when: ${o.when}; to: ${o.to}${o.subject ? `; subject line: "${o.subject}"` : ''} [${o.citation}]`);
      }
    }
  }
  if (d.redFlags.length) {
    out.push('', 'Red flags');
    for (const r of d.redFlags) out.push(`- ${r.id} (${r.status}) [${r.citation}]: ${r.detail}`, `  action: ${r.action}`);
  }
  if (d.missingFacts.length) {
    out.push('', 'Missing facts');
    for (const m of d.missingFacts) out.push(`- ${m.path}: ${m.why}`);
  }
  if (d.interpretations.length) {
    out.push('', 'Interpretations relied on');
    for (const i of d.interpretations) out.push(`- ${i.id} = ${i.reading}${i.changesOutcome ? ` (another reading changes: ${(i.changes ?? []).join(', ')})` : i.changesObligations ? ' (another reading changes the obligations)' : ''}: ${i.question}`);
  }
  if (d.explanation?.length) {
    out.push('', 'Why');
    const walk = (steps: NonNullable<Determination['explanation']>, depth: number): void => {
      const pad = '  '.repeat(depth);
      for (const s of steps) {
        out.push(`${pad}- ${s.rule}: ${s.result} [${s.citation}]${s.detail ? `\n${pad}  ${s.detail}` : ''}`);
        // Exception conditions are already in the table above; show the other sub-steps.
        if (s.children && !s.rule.startsWith('License Exception')) walk(s.children, depth + 1);
      }
    };
    walk(d.explanation, 0);
  }
  const sources = statusSources(d.ruleset.asOf);
  if (sources.length) {
    out.push('', 'Sources of the legal status (aidr status --as-of DATE for the timeline and the posture per provision)');
    for (const k of sources) out.push(`- [${k.key}] ${k.source}`);
  }
  if (d.warnings.length) {
    out.push('', 'Warnings');
    for (const w of d.warnings) out.push(`- ${w}`);
  }
  return `${out.join('\n')}\n`;
}
