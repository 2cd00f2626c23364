/**
 * `aidr screen` from input to output: open the input, the output and (when one exists) the stored
 * ledger, stream the rows through the screening (or the commit, or the comparison), show progress
 * on a terminal, and finish with the summary. Returns the exit code.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { InputError, type EvalOptions } from '../engine/context.js';
import { today } from '../engine/determine.js';
import { EXIT } from './exit.js';
import { readInput } from './io.js';
import type { ScreenFlags } from './screen.js';
import type { Store } from '../store/open.js';
import { knownColumns } from '../screen/columns.js';
import { NO_LEDGER, type LedgerSource } from '../screen/evaluate.js';
import { INPUT_FORMATS, openInput, type InputFormat } from '../screen/read.js';
import type { PartyLookup } from '../screen/row.js';
import { parseMap, screenInput, type Written } from '../screen/run.js';
import type { OutputFormat } from '../screen/screener.js';
import { existingStore, storeLedger, storeParties } from '../screen/sources.js';
import { SummaryBuilder, summaryText } from '../screen/summary.js';
import { formatOfOutput, openSink, resumePoint } from '../screen/write.js';

const OUTPUT_FORMATS: readonly OutputFormat[] = ['csv', 'xlsx', 'jsonl'];

interface Progress { tick(lines: number): void; stop(): void }

async function progressBar(enabled: boolean, position: (() => { bytes: number; total: number }) | undefined): Promise<Progress> {
  if (!enabled) return { tick: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  const started = Date.now();
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: position ? 'screen |{bar}| {percentage}% | {lines} lines | {rate}/s | ETA {eta_formatted}' : 'screen | {lines} lines | {rate}/s',
    hideCursor: false,
    clearOnComplete: true,
    etaBuffer: 50,
    noTTYOutput: !process.stderr.isTTY,
    notTTYSchedule: 2000,
  });
  bar.start(position?.().total ?? 0, 0, { lines: 0, rate: 0 });
  let last = 0;
  return {
    tick(lines) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      bar.update(position?.().bytes ?? 0, { lines, rate: Math.round(lines / Math.max(0.001, (now - started) / 1000)) });
    },
    stop: () => bar.stop(),
  };
}

export async function screenFile(input: string, flags: ScreenFlags, evalOpts: EvalOptions): Promise<number> {
  const target = flags.output ?? '-';
  const format = (flags.format ?? (target === '-' ? 'csv' : formatOfOutput(target))) as OutputFormat | undefined;
  if (format === undefined || !OUTPUT_FORMATS.includes(format)) throw new InputError('--format', `csv, xlsx or jsonl${flags.format ? '' : ` (the output ${target} has no extension aidr knows)`}`);
  if (flags.inputFormat !== undefined && !INPUT_FORMATS.includes(flags.inputFormat as InputFormat)) throw new InputError('--input-format', INPUT_FORMATS.join(', '));
  if (flags.full && format !== 'jsonl') throw new InputError('--full', 'the full determination goes to JSON Lines output (-o FILE.jsonl)');
  const jobs = flags.jobs === undefined ? Math.max(1, availableParallelism()) : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new InputError('--jobs', 'a whole number from 1 to 64');
  if (flags.commit && flags.compare?.length) throw new InputError('--compare', 'a comparison does not commit: drop --commit');
  if (flags.actor !== undefined && !flags.commit) throw new InputError('--actor', 'goes with --commit');
  if (flags.commit && typeof flags.ledger === 'string') throw new InputError('--ledger', 'when committing, the ledger is the store\'s');
  if (flags.commit && flags.ledger === false) throw new InputError('--no-ledger', 'a commit draws on the stored ledger');
  const map = flags.map ? parseMapFile(flags.map) : undefined;

  // The stored ledger: read when one exists, unless --no-ledger or --ledger FILE.
  const storeOptions = flags.commit ? {} : flags.ledger === false || typeof flags.ledger === 'string' ? undefined : existingStore();
  let store: Store | undefined;
  let source: LedgerSource = NO_LEDGER;
  let parties: PartyLookup | undefined;
  if (storeOptions) {
    const { openStore } = await import('../store/open.js');
    store = await openStore(storeOptions);
    if (!flags.commit) source = await storeLedger(store);
    parties = await storeParties(store);
  }
  try {
    const skip = flags.resume ? await resumePoint(target, format) : 0;
    // The lines already done are read again: a commit skips them itself (their ids decide later
    // lines' keys); a screen evaluates them for the running totals without writing them (replayThroughLine).
    const opened = await openInput(input, { ...(flags.inputFormat ? { format: flags.inputFormat as InputFormat } : {}), ...(flags.sheet ? { sheet: flags.sheet } : {}) });
    const columns = opened.headers ? knownColumns(opened, map) : undefined;
    const ignored = columns ? columns.ignored : [];
    // Every line would be evaluated as of today: said once here (and on each row), never silently.
    if (columns && evalOpts.asOf === undefined && !columns.fields.some((f) => f?.path === 'date')) {
      process.stderr.write(`aidr screen: no date column in ${input === '-' ? 'standard input' : input} (a ship date column: see aidr screen --columns, or --map): every line is evaluated as of today, ${today()}; --as-of DATE to choose the day\n`);
    }
    const ledgerDescription = typeof flags.ledger === 'string' ? `--ledger ${flags.ledger}` : store ? `${store.dialect} ${store.location}` : 'none (no store; --no-ledger to say so)';
    const summary = new SummaryBuilder(input === '-' ? 'standard input' : input, opened.format, flags.ledger === false ? 'none (--no-ledger)' : ledgerDescription, ignored);
    if (target !== '-') summary.set('output', target);
    if (skip) summary.set('resumedAfterLine', skip);
    const config = { eval: evalOpts, output: format, ...(map ? { map } : {}), ...(evalOpts.ledger ? { fixedLedger: evalOpts.ledger } : {}), committing: flags.commit === true, ...(skip && !flags.commit ? { replayThroughLine: skip } : {}) };
    delete (config.eval as { ledger?: unknown }).ledger;
    const sink = await openSink(target, format, flags.commit ? 'commit' : flags.compare?.length ? 'compare' : 'screen', skip > 0);
    const progress = await progressBar(flags.progress === true || (process.stderr.isTTY === true && target !== '-'), opened.position);
    let refused = 0;
    // A commit counts its rows here; a screen counts them where they are screened, a comparison every line it reads (not only those written).
    const screened = flags.commit === true;
    let rows: AsyncIterable<Written>;
    if (flags.commit) {
      const { commitRows } = await import('../screen/commit.js');
      const { defaultActor } = await import('./ledger.js');
      rows = commitRows(opened, config, store!, { input, actor: defaultActor(flags.actor), onRefused: () => refused++, skipThroughLine: skip });
    } else if (flags.compare?.length) {
      const { compareRows } = await import('../screen/compare.js');
      rows = compareRows(opened, config, flags.compare, { jobs: 1, ledger: !!storeOptions, parties: !!parties, source, ...(storeOptions ? { store: storeOptions } : {}), ...(parties ? { partyLookup: parties } : {}) }, summary);
    } else {
      rows = screenInput(opened, { summary, config, jobs: flags.failFast ? 1 : jobs, threads: !flags.failFast, ledger: !!storeOptions, parties: !!parties, source, ...(storeOptions ? { store: storeOptions } : {}), ...(parties ? { partyLookup: parties } : {}), notice: (m) => process.stderr.write(`aidr: ${m}\n`) });
    }
    try {
      let n = 0;
      for await (const p of rows) {
        await sink.write(p.out as string | Buffer | (string | number)[]);
        if (screened) summary.add(p.meta!);
        progress.tick((n += p.count ?? 1));
        if (flags.failFast && p.meta?.errors) {
          summary.set('stoppedAtLine', p.line);
          break;
        }
      }
    } finally {
      progress.stop();
      await sink.close();
    }
    if (flags.commit) {
      summary.set('committed', summary.rows - summary.invalid - refused - summary.replayed);
      summary.set('replayed', summary.replayed);
      summary.set('refused', refused);
    }
    const s = summary.finish();
    process.stderr.write(summaryText(s));
    if (flags.summary) writeFileSync(flags.summary, `${JSON.stringify(s, null, 2)}\n`);
    if (refused > 0) return EXIT.refused;
    return s.invalid > 0 ? EXIT.someRowsInvalid : EXIT.ok;
  } finally {
    await store?.close();
  }
}

function parseMapFile(file: string): Record<string, string> {
  try {
    return parseMap(readInput(file));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError('--map', (e as Error).message);
  }
}
