/** `aidr interpretations`: the register of named ambiguities and their readings. */
import type { Command } from 'commander';
import { INTERPRETATIONS, interpretationsMarkdown } from '../data/interpretations.js';
import { writeJson } from './io.js';

export function registerInterpretations(program: Command): void {
  program
    .command('interpretations')
    .description('List the named ambiguities of the rule, their readings (the first is the default) and citations')
    .option('--format <format>', 'text, json or markdown', 'text')
    .action((flags: { format: string }) => {
      const all = [...INTERPRETATIONS.values()];
      if (flags.format === 'json') return writeJson(all);
      if (flags.format === 'markdown') {
        process.stdout.write(interpretationsMarkdown());
        return;
      }
      const out: string[] = [];
      for (const i of all) {
        out.push(`${i.id}  ${i.question}  [${i.citation}]`);
        i.readings.forEach((r, n) => out.push(`  ${n === 0 ? '*' : ' '} ${r.id}: ${r.label}`));
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
