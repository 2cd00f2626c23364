/**
 * `aidr audit …`: the append-only, hash-chained, signed record of committed determinations.
 * verify (exit 5 names the first altered, deleted, reordered, unsigned or forged record, or a log
 * shorter than a checkpoint), checkpoint (the signed head, to keep off the database), replay
 * (re-evaluate a stored input; exit 5 when the answer differs), export (CSV or JSON Lines for
 * record-keeping, EAR part 762), show.
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../engine/context.js';
import { parseJson, UsageError, writeJson } from './io.js';
import { EXIT } from './exit.js';
import { fail, withStore } from './ledger.js';
import { IsoDate } from '../contract/transaction.js';
import type { AuditCheckpoint } from '../store/audit-verify.js';

/** A checkpoint file, checked for shape (its signature is checked by the verification). */
export async function readCheckpoint(file: string): Promise<AuditCheckpoint> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the checkpoint ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { AuditCheckpointSchema } = await import('../store/audit-verify.js');
  const r = AuditCheckpointSchema.safeParse(parseJson(text, `the checkpoint ${file}`));
  if (!r.success) throw new InputError('--checkpoint', `${file} is not an aidr audit checkpoint (${r.error.issues[0]?.path.join('.') ?? ''}: ${r.error.issues[0]?.message ?? ''})`);
  return r.data as AuditCheckpoint;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('The audit log of committed determinations: verify, replay, export, show');

  audit
    .command('verify')
    .description('Walk the hash chain and check the signatures; exit 5 naming the first altered, deleted, reordered, unsigned or forged record')
    .option('--anchor <seq:hash>', 'also require that record seq has this hash (a head you noted earlier)')
    .option('--checkpoint <file>', 'also require the head a checkpoint saw (`aidr audit checkpoint`): records cut off the end are found')
    .option('--public-key <file>', 'check the signatures with this public key (the .pub beside the signing key) instead of the signing key')
    .option('--all-signatures', 'check every record\'s signature, not only the last one (which vouches for the chain before it); slower')
    .option('--format <format>', 'json or text', 'text')
    .action(async (flags: { anchor?: string; checkpoint?: string; publicKey?: string; allSignatures?: boolean; format: string }) => {
      try {
        let anchor: { seq: number; hash: string } | undefined;
        if (flags.anchor) {
          const m = /^(\d+):([0-9a-f]{64})$/.exec(flags.anchor);
          if (!m) throw new InputError('--anchor', 'expected SEQ:HASH (64 hex digits), as printed by aidr audit verify');
          anchor = { seq: Number(m[1]), hash: m[2]! };
        }
        const checkpoint = flags.checkpoint ? await readCheckpoint(flags.checkpoint) : undefined;
        const { loadTrustedKey } = await import('../store/signing.js');
        const keys = flags.publicKey ? [loadTrustedKey(flags.publicKey)] : undefined;
        await withStore(async (store) => {
          const { verifyAudit } = await import('../store/audit.js');
          const r = await verifyAudit(store, { ...(anchor ? { anchor } : {}), ...(checkpoint ? { checkpoint } : {}), ...(keys ? { keys } : {}), allSignatures: flags.allSignatures === true });
          if (flags.format === 'json') writeJson(r);
          else if (r.ok) {
            const signed = `${r.signatures.signed} signed by key ${r.signatures.keyId} (the last signature checked${r.signatures.checked === 'all' ? ', and every other' : ''})`;
            process.stdout.write(`audit log intact: ${r.records} record(s), ${signed}; head ${r.head.seq}:${r.head.hash}${r.checkpoint ? `; checkpoint seq ${r.checkpoint.seq} present` : ''}\n`);
          } else process.stdout.write(`audit log FAILED verification (${r.problem!.kind}): ${r.problem!.message}\n`);
          if (!r.ok) process.exitCode = EXIT.verificationFailed;
        });
      } catch (e) {
        fail(e);
      }
    });

  audit
    .command('checkpoint')
    .description('Write the signed head of the audit log (and a digest of the ledger movements) for safekeeping off the database')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (flags: { out?: string }) => {
      try {
        await withStore(async (store) => {
          const { auditCheckpoint } = await import('../store/audit.js');
          const cp = await auditCheckpoint(store);
          const text = `${JSON.stringify(cp, null, 2)}\n`;
          if (flags.out) {
            writeFileSync(flags.out, text);
            process.stderr.write(`aidr: checkpoint of seq ${cp.audit.seq} written to ${flags.out}; keep it where the database's users cannot change it, and pass it to \`aidr audit verify --checkpoint\`\n`);
          } else process.stdout.write(text);
        });
      } catch (e) {
        fail(e);
      }
    });

  audit
    .command('replay')
    .description('Re-evaluate a stored input with its stored options; print the differences (exit 5 if any); --all streams every record')
    .argument('[id]', 'the record id (uuid) or sequence number')
    .option('--all', 'replay every stored record against today\'s ruleset: one JSON line per record that differs, a count at the end')
    .option('--format <format>', 'json or text', 'text')
    .action(async (id: string | undefined, flags: { format: string; all?: boolean }) => {
      try {
        if (flags.all) {
          if (id !== undefined) throw new UsageError('give a record id or --all, not both');
          await withStore(async (store) => {
            const { replayAll } = await import('../screen/replay-all.js');
            process.exitCode = await replayAll(store);
          });
          return;
        }
        if (id === undefined) throw new UsageError('give a record id (or --all)');
        await withStore(async (store) => {
          const { replayAudit } = await import('../ledger/replay.js');
          const r = await replayAudit(store, id);
          if (flags.format === 'json') {
            const { determination: _d, ...rest } = r;
            writeJson(rest);
          } else {
            process.stdout.write(`record ${r.seq} (${r.id}) of ${r.at}\n${r.note}\n`);
            for (const x of r.differences) process.stdout.write(`  ${x.path}: stored ${JSON.stringify(x.stored)} → now ${JSON.stringify(x.now)}\n`);
            process.stdout.write(`Then: ${r.then.note}\n`);
            if (r.today) {
              process.stdout.write(`Today (${r.today.asOf}${r.today.vintage ? `, vintage ${r.today.vintage}` : ''}), the same transaction:${r.today.regimesDiffer ? ' the regimes differ' : ''}\n`);
              for (const a of r.today.regimes) process.stdout.write(`  ${a.id === 'codified' ? 'as written' : 'as BIS enforces it'}: ${a.outcome} (license required ${a.licenseRequired}${a.eligibleExceptions.length ? `; ${a.eligibleExceptions.join(', ')} eligible` : ''}${a.reviewPolicy ? `; review ${a.reviewPolicy}` : ''})\n`);
            }
          }
          if (!r.identical) process.exitCode = EXIT.verificationFailed;
        });
      } catch (e) {
        fail(e);
      }
    });

  audit
    .command('show')
    .description('Print one stored record')
    .argument('<id>', 'the record id (uuid) or sequence number')
    .action(async (id: string) => {
      try {
        await withStore(async (store) => {
          const { getAudit } = await import('../store/audit.js');
          const r = await getAudit(store, id);
          if (!r) throw new InputError('id', `no audit record ${id}`);
          writeJson({ ...r, input: JSON.parse(r.input), options: JSON.parse(r.options), output: JSON.parse(r.output), effects: JSON.parse(r.effects) });
        });
      } catch (e) {
        fail(e);
      }
    });

  audit
    .command('export')
    .description('Export records for record-keeping (EAR part 762: five years): CSV or JSON Lines')
    .option('--format <format>', 'csv or jsonl', 'jsonl')
    .option('--since <date>', 'records at or after this date (YYYY-MM-DD)')
    .option('--until <date>', 'records before this date')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (flags: { format: string; since?: string; until?: string; out?: string }) => {
      try {
        if (flags.format !== 'csv' && flags.format !== 'jsonl') throw new UsageError('--format must be csv or jsonl');
        for (const k of ['since', 'until'] as const) {
          if (flags[k] !== undefined && !IsoDate.safeParse(flags[k]).success) throw new InputError(`--${k}`, 'expected a real date as YYYY-MM-DD');
        }
        const fmt = flags.format;
        await withStore(async (store) => {
          const { auditRecords, exportLine, EXPORT_COLUMNS } = await import('../store/audit.js');
          const sink = flags.out ? createWriteStream(flags.out) : process.stdout;
          const write = (line: string) => new Promise<void>((resolve, reject) => {
            if (sink.write(`${line}\n`)) return resolve();
            // Each wait removes both of its listeners, whichever fires (they piled up on a long export).
            const drained = () => { sink.off('error', failed); resolve(); };
            const failed = (e: Error) => { sink.off('drain', drained); reject(e); };
            sink.once('drain', drained).once('error', failed);
          });
          if (fmt === 'csv') await write(EXPORT_COLUMNS.join(','));
          for await (const r of auditRecords(store, { since: flags.since, until: flags.until })) await write(exportLine(r, fmt));
          if (flags.out) await new Promise<void>((resolve, reject) => (sink as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? reject(e) : resolve())));
        });
      } catch (e) {
        fail(e);
      }
    });
}
