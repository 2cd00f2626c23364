/**
 * `aidr check --commit`: commit each transaction against the ledger and the audit log (see
 * src/ledger/commit.ts), printing `{ determination, commit }` per transaction.
 */
import { InputError } from '../engine/context.js';
import { describeError, UsageError, writeJson } from './io.js';
import { defaultActor, withStore } from './ledger.js';

// ---- aidr check --commit ----------------------------------------------------------------------------

export interface CommitFlags { actor?: string; idempotencyKey?: string; exception?: string; format: string }

/**
 * Commit each transaction (one database transaction each, in order) and print
 * `{ determination, commit }` per transaction. A refused commit (cap exceeded, not eligible) is
 * reported as `{ error }` in its place and the exit code is that of the first refusal (4 for a cap or limit); the others stay committed.
 */
export async function commitAll(transactions: import('../contract/transaction.js').Transaction[], batch: boolean, opts: import('../engine/context.js').EvalOptions, flags: CommitFlags, render: (d: import('../contract/determination.js').Determination) => string): Promise<void> {
  const codes = ['AIA', 'ACA', 'ACM', 'NAC', 'HBM', 'LPP'];
  if (flags.exception !== undefined && !codes.includes(flags.exception.toUpperCase())) throw new UsageError(`--exception must be one of ${codes.join(', ')}`);
  if (opts.ledger) throw new UsageError('--ledger and --commit do not combine: when committing, the ledger view comes from the store');
  const exception = flags.exception?.toUpperCase() as 'AIA' | 'ACA' | 'ACM' | 'NAC' | 'HBM' | 'LPP' | undefined;
  const actor = defaultActor(flags.actor);
  const out: unknown[] = [];
  let refused: unknown;
  const { commitTransaction, preflightCommits } = await import('../ledger/commit.js');
  const { fillTransaction } = await import('../parties/fill.js');
  const { storeParties } = await import('../screen/sources.js');
  const { DefaultKeys } = await import('../ledger/default-keys.js');
  // Default: the transaction's id (ID#2, ID#3, … for its later occurrences in the input), so that
  // committing the same file again never draws twice, and two lines with one id draw twice.
  const defaults = new DefaultKeys();
  await withStore(async (store) => {
    // The parties register fills what a party named by id leaves out, as in `aidr screen --commit`;
    // then the batch is checked whole before anything is written.
    const parties = await storeParties(store);
    const filled = transactions.map((t) => fillTransaction(t, parties));
    preflightCommits(filled.map((f) => f.tx), opts, exception);
    for (const [i, { tx, notes }] of filled.entries()) {
      const key = flags.idempotencyKey === undefined ? (tx.id?.trim() ? defaults.keyFor(tx.id) : undefined) : batch ? `${flags.idempotencyKey}#${i}` : flags.idempotencyKey;
      try {
        const r = await commitTransaction(store, tx, opts, { actor, registerNotes: notes, ...(key ? { idempotencyKey: key } : {}), ...(exception ? { exception } : {}) });
        const { determination, ...commit } = r;
        out.push({ determination, commit });
        for (const n of r.notices) process.stderr.write(`aidr: NOTICE ${n}\n`);
        for (const w of r.warnings) process.stderr.write(`aidr: WARNING ${w}\n`);
      } catch (e) {
        if (e instanceof InputError && batch) throw new InputError(`[${i}].${e.path}`, e.message.slice(e.path.length + 2));
        if (!(e instanceof Error && e.name === 'LedgerError')) throw e;
        refused ??= e;
        out.push({ ...(tx.id ? { id: tx.id } : {}), error: e.message });
        process.stderr.write(`aidr: ${batch ? `[${i}] ` : ''}${e.message}\n`);
      }
    }
  });
  if (flags.format === 'text') {
    for (const o of out as { determination?: Parameters<typeof render>[0]; commit?: { auditId: string; seq: number; exception: string | null; movements: { account: string; amountTpp: string; leftTpp: string | null }[]; notices: string[]; replayed: boolean }; error?: string }[]) {
      if (o.error) {
        process.stdout.write(`REFUSED: ${o.error}\n\n`);
        continue;
      }
      process.stdout.write(render(o.determination!));
      const c = o.commit!;
      process.stdout.write(`\nRecorded: audit record ${c.seq} (${c.auditId})${c.replayed ? ' (already recorded under this idempotency key)' : ''}; ${c.exception ? `License Exception ${c.exception} used` : 'no license exception used (recorded only)'}.\n`);
      for (const m of c.movements) process.stdout.write(`  ${m.account}: +${m.amountTpp} TPP${m.leftTpp !== null ? `, ${m.leftTpp} TPP left` : ''}\n`);
      for (const n of c.notices) process.stdout.write(`  NOTICE ${n}\n`);
      process.stdout.write('\n');
    }
  } else {
    writeJson(batch ? out : out[0]);
  }
  if (refused) process.exitCode = describeError(refused).code;
}
