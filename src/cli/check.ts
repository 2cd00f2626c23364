/** `aidr check FILE|-`: one Transaction or an array in, Determination(s) out (shared/design/contract.md). */
import type { Command } from 'commander';
import { parseTransactions, issueToError } from '../contract/parse.js';
import { LedgerViewSchema } from '../contract/options.js';
import { IsoDate } from '../contract/transaction.js';
import { determine } from '../engine/determine.js';
import { InputError, type EvalOptions } from '../engine/context.js';
import { collectInterpretation, parseJson, readInput, reportAndExit, UsageError, writeJson } from './io.js';
import { renderText } from './text.js';
import { renderWhatIfText } from './what-if-text.js';
import { whatIf } from '../engine/what-if.js';
import { commitAll } from './ledger.js';

export interface CheckFlags {
  asOf?: string;
  format: string;
  interpretation?: Record<string, string>;
  ledger?: string;
  lean?: boolean;
  sensitivity?: boolean;
  commit?: boolean;
  actor?: string;
  idempotencyKey?: string;
  exception?: string;
  whatIf?: boolean;
}

export function evalOptionsFrom(flags: CheckFlags): EvalOptions {
  if (flags.asOf !== undefined && !IsoDate.safeParse(flags.asOf).success) throw new InputError('--as-of', 'expected a date as YYYY-MM-DD');
  if (!['json', 'text'].includes(flags.format)) throw new UsageError('--format must be json or text');
  const opts: EvalOptions = { interpretations: flags.interpretation, explain: !flags.lean, ...(flags.sensitivity ? { sensitivity: true } : {}) };
  if (flags.asOf) opts.asOf = flags.asOf;
  if (flags.ledger) {
    const r = LedgerViewSchema.safeParse(parseJson(readInput(flags.ledger), '--ledger'));
    if (!r.success) throw issueToError(r.error.issues, 'ledger');
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
    .option('--lean', 'omit the explanation, the classification basis and the re-evaluation of other interpretation readings (bulk screening)')
    .option('--sensitivity', 'with --lean: still re-evaluate other readings (interpretations[].changesOutcome, changes, alternatives)')
    .option('--commit', 'record it: draw on the ledger (LPP cap, AIA total) and append the audit log, in one database transaction')
    .option('--actor <name>', 'with --commit: who commits (default AIDR_ACTOR or the OS user)')
    .option('--idempotency-key <key>', 'with --commit: commit at most once for this key (a batch uses KEY#index)')
    .option('--exception <code>', 'with --commit: the license exception to use (AIA, ACA, ACM, NAC, LPP); default the first eligible, caps last')
    .option('--what-if', 'instead of the determination: the smallest changes of fact that would change it, each evaluated (LPP quantity, direct shipment, exception conditions, classification thresholds)')
    .action(async (file: string, flags: CheckFlags) => {
      try {
        const opts = evalOptionsFrom(flags);
        const { batch, transactions } = parseTransactions(parseJson(readInput(file), 'the input'));
        if (flags.commit) {
          if (flags.whatIf) throw new UsageError('--what-if does not commit; leave out --commit');
          await commitAll(transactions, batch, opts, { actor: flags.actor, idempotencyKey: flags.idempotencyKey, exception: flags.exception, format: flags.format }, renderText);
          return;
        }
        if (flags.whatIf) {
          const results = transactions.map((t) => whatIf(t, opts));
          if (flags.format === 'text') process.stdout.write(results.map((w, i) => renderWhatIfText(w, transactions[i]!.id)).join('\n'));
          else writeJson(batch ? results : results[0]);
          return;
        }
        if (flags.actor !== undefined || flags.idempotencyKey !== undefined || flags.exception !== undefined) throw new UsageError('--actor, --idempotency-key and --exception go with --commit');
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
