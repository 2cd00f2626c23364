/**
 * `aidr screen INPUT [-o OUTPUT]`: an order book (CSV, XLSX, JSON Lines, a JSON array; - for
 * standard input) screened line by line, streamed end to end: one flat row per line (CSV, XLSX)
 * or one compact determination per line (JSON Lines), a summary at the end (stderr, --summary).
 *
 * Exit codes (src/cli/exit.ts): 0 every line evaluated; 3 some lines invalid (each reported on
 * its row); 4 a commit refused by a cap; 2 unusable input or usage; 1 internal failure.
 */
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../engine/context.js';
import { EXIT } from './exit.js';
import { evalOptionsFrom, type CheckFlags } from './check.js';
import { collectInterpretation, reportAndExit, UsageError } from './io.js';

export interface ScreenFlags {
  output?: string;
  format?: string;
  inputFormat?: string;
  sheet?: string;
  map?: string;
  template?: string;
  columns?: boolean;
  asOf?: string;
  interpretation?: Record<string, string>;
  sensitivity?: boolean;
  full?: boolean;
  ledger?: string | boolean;
  jobs?: string;
  progress?: boolean;
  summary?: string;
  failFast?: boolean;
  resume?: boolean;
  commit?: boolean;
  actor?: string;
  compare?: string[];
  regime?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerScreen(program: Command): void {
  program
    .command('screen')
    .description('Screen an order book (CSV, XLSX, JSON Lines or a JSON array; - for stdin): one row per line, a summary at the end')
    .argument('[input]', 'the order book, or - for standard input')
    .option('-o, --output <file>', 'where to write the rows (.csv, .xlsx, .jsonl; default: CSV on standard output)')
    .option('--format <format>', 'csv, xlsx or jsonl (default: from the output\'s extension)')
    .option('--input-format <format>', 'csv, xlsx, jsonl or json (default: from the extension, else from the content)')
    .option('--sheet <name>', 'XLSX input: the worksheet (name or number; default the first)')
    .option('--map <file>', 'JSON: your headers to aidr\'s columns, e.g. {"Kunde": "consignee.id"}')
    .option('--template <format>', 'write a template to start from (csv or xlsx) to -o or standard output, and stop')
    .option('--columns', 'print the column vocabulary and stop')
    .option('--as-of <date>', 'evaluate as of this date (YYYY-MM-DD) instead of each line\'s date')
    .option('--interpretation <ID=READING>', 'choose a reading, e.g. INT-6=available (repeatable)', collectInterpretation)
    .option('--regime <regime>', 'codified (default) or enforced: the regime the main columns answer (both regimes have their own columns)')
    .option('--sensitivity', 'also re-evaluate other interpretation readings (the interpretations column says which change the outcome; slower)')
    .option('--full', 'JSON Lines: the full determination with its explanation (default lean)')
    .option('--ledger <file>', 'a ledger view JSON applied to every line, instead of the stored ledger')
    .option('--no-ledger', 'ignore the stored ledger (the file\'s own lines are still added up per consignee)')
    .option('--jobs <n>', 'worker threads (default: the machine\'s cores)')
    .option('--progress', 'show the progress bar even when stderr is not a terminal')
    .option('--summary <file>', 'also write the summary as JSON to this file')
    .option('--fail-fast', 'stop at the first invalid line')
    .option('--resume', 'continue an interrupted run from the output\'s last complete row (CSV or JSON Lines output)')
    .option('--commit', 'record each line in file order: draw on the ledger and append the audit log (idempotent per line)')
    .option('--actor <name>', 'with --commit: who commits (default AIDR_ACTOR or the OS user)')
    .option('--compare <KEY=VALUE>', 'what-if: write only the lines whose answer changes with as-of=DATE, regime=codified|enforced or INT-n=READING (repeatable); both regimes\' changes are listed', collect)
    .action(async (input: string | undefined, flags: ScreenFlags) => {
      try {
        const code = await runScreen(input, flags);
        process.exitCode = code;
      } catch (e) {
        reportAndExit(e);
      }
    });
}

async function runScreen(input: string | undefined, flags: ScreenFlags): Promise<number> {
  if (flags.columns) {
    const { vocabulary } = await import('../screen/columns.js');
    for (const v of vocabulary()) process.stdout.write(`${v.path.padEnd(40)} ${[v.path, ...v.names].join(', ')}\n${' '.repeat(41)}${v.help}\n`);
    return EXIT.ok;
  }
  if (flags.template !== undefined) return writeTemplate(flags);
  if (input === undefined) throw new UsageError('give the order book to screen (a file, or - for standard input); --template csv writes one to start from');
  const { screenFile } = await import('./screen-run.js');
  return screenFile(input, flags, cliEvalOptions(flags));
}

function cliEvalOptions(flags: ScreenFlags) {
  const check: CheckFlags = { format: 'json', asOf: flags.asOf, interpretation: flags.interpretation, lean: !flags.full, sensitivity: flags.sensitivity, ...(flags.regime !== undefined ? { regime: flags.regime } : {}), ...(typeof flags.ledger === 'string' ? { ledger: flags.ledger } : {}) };
  return evalOptionsFrom(check);
}

async function writeTemplate(flags: ScreenFlags): Promise<number> {
  const { TEMPLATE_HEADERS, TEMPLATE_ROWS } = await import('../screen/template.js');
  const kind = flags.template;
  if (kind !== 'csv' && kind !== 'xlsx') throw new InputError('--template', 'csv or xlsx');
  if (kind === 'csv') {
    const text = stringify([TEMPLATE_HEADERS, ...TEMPLATE_ROWS]);
    if (flags.output && flags.output !== '-') writeFileSync(flags.output, `\uFEFF${text}`);
    else process.stdout.write(text);
    return EXIT.ok;
  }
  if (!flags.output || flags.output === '-') throw new UsageError('--template xlsx writes a workbook: give -o FILE.xlsx');
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('orders');
  ws.addRow(TEMPLATE_HEADERS);
  for (const r of TEMPLATE_ROWS) ws.addRow(r);
  await wb.xlsx.writeFile(flags.output);
  return EXIT.ok;
}

export const defaultJobs = () => Math.max(1, availableParallelism());
