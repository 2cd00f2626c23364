/** `aidr check FILE|-`: one Transaction or an array in, Determination(s) out (shared/design/contract.md). */
import type { Command } from 'commander';
import { parseTransactions, issueToError } from '../contract/parse.js';
import { LedgerViewSchema } from '../contract/options.js';
import { IsoDate } from '../contract/transaction.js';
import { determine } from '../engine/determine.js';
import { InputError, type EvalOptions } from '../engine/context.js';
import { collectInterpretation, parseJson, readInput, reportAndExit, UsageError, writeJson } from './io.js';
import { renderText } from './text.js';

export interface CheckFlags {
  asOf?: string;
  format: string;
  interpretation?: Record<string, string>;
  ledger?: string;
  lean?: boolean;
}

export function evalOptionsFrom(flags: CheckFlags): EvalOptions {
  if (flags.asOf !== undefined && !IsoDate.safeParse(flags.asOf).success) throw new InputError('--as-of', 'expected a date as YYYY-MM-DD');
  if (!['json', 'text'].includes(flags.format)) throw new UsageError('--format must be json or text');
  const opts: EvalOptions = { interpretations: flags.interpretation, explain: !flags.lean };
  if (flags.asOf) opts.asOf = flags.asOf;
  if (flags.ledger) {
    const r = LedgerViewSchema.safeParse(parseJson(readInput(flags.ledger), '--ledger'));
    if (!r.success) throw issueToError(r.error.issues, 'ledger.');
    opts.ledger = r.data;
  }
  return opts;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Determine what the AI Diffusion rule requires for a transaction (JSON object or array; - for stdin)')
    .argument('<file>', 'transaction JSON file, or - for standard input')
    .option('--as-of <date>', 'evaluate as of this date (YYYY-MM-DD), overriding each transaction\'s date')
    .option('--format <format>', 'json or text', 'json')
    .option('--interpretation <ID=READING>', 'choose a reading, e.g. INT-6=available (repeatable)', collectInterpretation)
    .option('--ledger <file>', 'ledger view JSON: lppUsedTpp, aiaCumulativeTpp, countryLicensedTpp')
    .option('--lean', 'omit the explanation and classification basis (bulk screening)')
    .action((file: string, flags: CheckFlags) => {
      try {
        const opts = evalOptionsFrom(flags);
        const { batch, transactions } = parseTransactions(parseJson(readInput(file), 'the input'));
        const results = transactions.map((t, i) => {
          try {
            return determine(t, opts);
          } catch (e) {
            if (e instanceof InputError && batch) throw new InputError(`[${i}].${e.path}`, e.message.slice(e.path.length + 2));
            throw e;
          }
        });
        if (flags.format === 'text') process.stdout.write(results.map(renderText).join('\n'));
        else writeJson(batch ? results : results[0]);
      } catch (e) {
        reportAndExit(e);
      }
    });
}
