/**
 * `aidr status [--as-of D] [--format text|json]`: the legal status on a date: the vintage, what
 * each regime evaluates, the timeline of instruments (in effect or not yet) and BIS's posture per
 * provision of 90 FR 4544, each with its basis and label, then the sources cited.
 */
import type { Command } from 'commander';
import { IsoDate } from '../contract/transaction.js';
import { InputError } from '../engine/context.js';
import { today } from '../engine/determine.js';
import { legalStatus, type LegalStatus } from '../engine/legal-status.js';
import { reportAndExit, UsageError, writeJson } from './io.js';

const STATUS_WORDS: Record<string, string> = { enforced: 'enforced', not_enforced: 'NOT ENFORCED', unknown: 'posture unknown', not_yet: 'not yet' };

export function renderStatusText(s: LegalStatus): string {
  const out: string[] = [];
  out.push(`Legal status on ${s.asOf}${s.vintage ? `: vintage ${s.vintage.id} (${s.vintage.from} to ${s.vintage.to})` : ': before the first modeled vintage'}`);
  out.push('');
  for (const r of s.regimes) out.push(`${r.id === 'codified' ? 'As written (codified)' : 'As BIS enforces it (enforced)'}: ${r.sentence}.`);
  out.push('', 'aidr check answers under both; --regime codified|enforced chooses which one the top-level fields follow (default codified).');
  out.push('', 'Timeline (* in effect on the date)');
  for (const t of s.timeline) out.push(`${t.inEffect ? '*' : ' '} ${t.id.padEnd(3)} ${t.dateText}: ${t.instrument}. ${t.change} [${t.source}] ${t.label}`);
  out.push('', 'Enforcement posture per provision of 90 FR 4544');
  for (const p of s.postures) {
    const when = p.status === 'not_yet' ? `from ${p.from}` : `since ${p.from}`;
    out.push(`- ${p.id} ${p.provision}: ${STATUS_WORDS[p.status]} (${when})${p.interpretation ? `, reading ${p.interpretation}` : ''}`);
    out.push(`    codified: ${p.codifiedEffect}. enforced: ${p.enforcedPosture}`);
    out.push(`    basis: ${p.basis} ${p.label}`);
  }
  out.push('', 'Sources');
  for (const k of s.sources) out.push(`- [${k.key}] ${k.source}: ${k.howRead}`);
  out.push('', 'Labels: [V] read in primary text, [S] secondary source, [I] inference, [U] unknown.');
  return `${out.join('\n')}\n`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('The legal status on a date: the vintage, what the codified and the enforced regime evaluate, the timeline, and BIS\'s posture per provision, with sources')
    .option('--as-of <date>', 'the date (YYYY-MM-DD; default today)')
    .option('--format <format>', 'text or json', 'text')
    .action((flags: { asOf?: string; format: string }) => {
      try {
        if (flags.asOf !== undefined && !IsoDate.safeParse(flags.asOf).success) throw new InputError('--as-of', 'expected a real date as YYYY-MM-DD');
        if (flags.format !== 'text' && flags.format !== 'json') throw new UsageError('--format must be text or json');
        const s = legalStatus(flags.asOf ?? today());
        if (flags.format === 'json') writeJson(s);
        else process.stdout.write(renderStatusText(s));
      } catch (e) {
        reportAndExit(e);
      }
    });
}
