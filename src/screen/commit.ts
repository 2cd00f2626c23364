/**
 * `aidr screen --commit`: each line committed in file order, one database transaction each
 * (draw on the ledger, append the audit record: `commitTransaction`), each line at most once.
 * A line's idempotency key is its transaction id (ID#2, ID#3, … for the id's later lines:
 * src/ledger/default-keys.ts), else the input file's SHA-256 and the line number: a re-run, or a `--resume` after the process was killed, replays the lines already
 * committed (`replayed`) and never draws twice, and no line is skipped. A refusal (a cap taken
 * meanwhile) is reported on its line, and the run goes on; notices (LPP TPP Limit Reached, the
 * AIA certification) go to stderr naming the line, the transaction id and the consignee.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Transaction } from '../contract/transaction.js';
import { InputError } from '../engine/context.js';
import { commitTransaction } from '../ledger/commit.js';
import { DefaultKeys } from '../ledger/default-keys.js';
import { LedgerError } from '../ledger/errors.js';
import type { Store } from '../store/open.js';
import { NO_LEDGER } from './evaluate.js';
import { describeItem, type ScreenRow } from './format.js';
import type { OpenedInput } from './read.js';
import { Screener, valuesResolved, type Processed, type ScreenerConfig } from './screener.js';
import { storeParties } from './sources.js';

export async function fileDigest(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The idempotency key of a committed line: by its id (`keys`: ID, then ID#2, ID#3, … in file order), else by file and line. */
export function lineKey(tx: Transaction, digest: string | undefined, line: number, keys: DefaultKeys): string | undefined {
  if (tx.id !== undefined && tx.id.trim() !== '') return keys.keyFor(tx.id);
  return digest === undefined ? undefined : `screen:${digest.slice(0, 32)}:${line}`;
}

const consigneeOf = (tx: Transaction) => tx.consignee?.ultimateParentId ?? tx.consignee?.id ?? tx.consignee?.name ?? 'unnamed consignee';

/**
 * `o.skipThroughLine` (--resume): lines already done are read, to learn their ids (a later line's
 * key depends on the ids before it), but neither committed nor written.
 */
export async function* commitRows(input: OpenedInput, config: ScreenerConfig, store: Store, o: { input: string; actor: string; onRefused: () => void; skipThroughLine?: number }): AsyncGenerator<Processed> {
  const actor = o.actor;
  const digest = o.input === '-' ? undefined : await fileDigest(o.input);
  const screener = new Screener({ ...config, committing: true, ...(input.headers ? { headers: input.headers } : {}) }, NO_LEDGER, await storeParties(store));
  const opts = { ...config.eval, explain: config.eval.explain === true, sensitivity: config.eval.sensitivity === true };
  const keys = new DefaultKeys();
  const skip = o.skipThroughLine ?? 0;
  for await (const record of input.records) {
    const m = screener.map(record);
    if (m.line <= skip) {
      if (m.tx?.id !== undefined && m.tx.id.trim() !== '') keys.keyFor(m.tx.id);
      continue;
    }
    if (m.errors || !m.tx) {
      yield screener.evaluate(m);
      continue;
    }
    const tx = m.tx;
    const key = lineKey(tx, digest, m.line, keys);
    const row: ScreenRow = { line: m.line, ...(m.id !== undefined ? { id: m.id } : {}), ...(tx.to ? { destination: tx.to } : {}), item: describeItem(tx.item), notes: m.notes };
    if (key === undefined) {
      row.errors = [{ path: 'id', message: 'a commit from standard input needs an id on every line (its idempotency key); or commit from a file' }];
      yield { line: m.line, out: screener.write(row, m), meta: { line: m.line, errors: row.errors } };
      continue;
    }
    try {
      const r = await commitTransaction(store, tx, opts, { actor, idempotencyKey: key });
      const d = r.determination;
      row.determination = d;
      row.exception = r.exception;
      const lpp = r.movements.find((x) => x.kind === 'draw' && x.account.startsWith('lpp:'));
      if (lpp?.leftTpp) row.lppLeftTpp = lpp.leftTpp;
      row.commit = { auditSeq: r.seq, auditId: r.auditId, exception: r.exception, movements: r.movements, notices: r.notices, replayed: r.replayed };
      for (const n of r.notices) process.stderr.write(`aidr: NOTICE line ${m.line}${tx.id ? ` (${tx.id})` : ''}, consignee ${consigneeOf(tx)}: ${n}\n`);
      yield {
        line: m.line, out: screener.write(row, m),
        meta: {
          line: m.line, ...(m.id ? { id: m.id } : {}), outcome: d.outcome, ...(d.regimesDiffer ? { regimesDiffer: true } : {}), ...(tx.to ? { to: tx.to } : {}), exception: r.exception,
          eligible: d.exceptions.filter((e) => e.status === 'eligible').map((e) => e.code), missing: d.missingFacts.map((x) => x.path),
          normalized: valuesResolved(m), ...(m.undated !== undefined ? { undated: m.undated } : {}), ...(r.replayed ? { replayed: true } : {}),
        },
      };
    } catch (e) {
      if (e instanceof InputError) {
        row.errors = [{ path: e.path, message: e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message }];
        yield { line: m.line, out: screener.write(row, m), meta: { line: m.line, ...(m.id ? { id: m.id } : {}), errors: row.errors } };
        continue;
      }
      if (!(e instanceof LedgerError)) throw e;
      o.onRefused();
      row.refused = `${e.message} (line ${m.line}${tx.id ? `, ${tx.id}` : ''}, consignee ${consigneeOf(tx)})`;
      process.stderr.write(`aidr: REFUSED ${row.refused}\n`);
      yield { line: m.line, out: screener.write(row, m), meta: { line: m.line, ...(m.id ? { id: m.id } : {}), outcome: 'refused', ...(tx.to ? { to: tx.to } : {}) } };
    }
  }
}
