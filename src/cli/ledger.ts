/**
 * `aidr ledger …`: accounts, reservations and recorded facts. The store is PostgreSQL when
 * DATABASE_URL is set, else SQLite in AIDR_DATA_DIR (default ./.aidr). Database modules load only
 * inside these commands, so `aidr check` stays fast.
 *
 * Exit codes (src/cli/exit.ts): 0 done; 2 invalid input or usage (the field path is named), an
 * idempotency conflict, a reservation in another state; 4 refused by a cap or limit; 5 a failed
 * verification; 1 an internal failure (the database unreachable).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Store } from '../store/open.js';
import type { AccountState } from '../ledger/index.js';
import { issueToError } from '../contract/parse.js';
import { InputError } from '../engine/context.js';
import { describeError, parseJson, readInput, reportAndExit, UsageError, writeJson } from './io.js';
import { EXIT } from './exit.js';

// ---- shared plumbing for the store-backed commands ------------------------------------------------

export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store/open.js');
  const store = await openStore();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Every error as every command reports it (io.ts): refusals by a cap exit 4, bad input 2, a failed verification 5. */
export function fail(e: unknown): never {
  reportAndExit(e);
}

export function defaultActor(given?: string): string {
  if (given) return given;
  if (process.env.AIDR_ACTOR) return process.env.AIDR_ACTOR;
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

function format(f: string): 'json' | 'text' {
  if (f !== 'json' && f !== 'text') throw new UsageError('--format must be json or text');
  return f;
}

/** "90s", "15m", "24h", "7d" or plain seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(s.trim());
  if (!m) throw new InputError('--ttl', 'expected a duration such as 90s, 15m, 24h or 7d');
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function accountsText(accounts: AccountState[]): string {
  if (accounts.length === 0) return 'No accounts yet.\n';
  const rows = [['account', 'used TPP', 'reserved TPP', 'cap TPP', 'left TPP']];
  for (const a of accounts) rows.push([a.id, a.usedTpp, a.reservedTpp, a.capTpp ?? '-', a.leftTpp ?? '-']);
  const notes = accounts.filter((a) => a.countryLicensedTpp !== undefined)
    .map((a) => `${a.id}: with BIS's published figure, ${a.countryLicensedTpp} TPP licensed to ${a.key} in all, ${a.countryLeftTpp} left (what determinations use; INT-9)\n`);
  return `${table(rows)}\n${notes.join('')}`;
}

interface OpFlags { tpp?: string; date?: string; actor?: string; idempotencyKey?: string; ref?: string; ttl?: string; headquarters?: string }

function needTpp(flags: OpFlags): string {
  if (flags.tpp === undefined) throw new UsageError('--tpp is required');
  return flags.tpp;
}

const ImportFile = z.array(z.strictObject({
  account: z.string(),
  tpp: z.union([z.number().nonnegative(), z.string()]),
  date: z.string().optional(),
  ref: z.string().max(500).optional(),
  idempotencyKey: z.string().max(200).optional(),
})).min(1);

function parseImport(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('[')) return parseJson(t, 'the import file');
  // JSON Lines: one entry per line.
  return t.split('\n').filter((l) => l.trim() !== '').map((l, i) => parseJson(l, `line ${i + 1}`));
}

export function registerLedger(program: Command): void {
  const ledger = program.command('ledger').description('Allocation ledgers: LPP, AIA, country allocations, NVEU and UVEU installed bases (DATABASE_URL or AIDR_DATA_DIR)');

  ledger
    .command('show')
    .description('Show accounts (all, one, or one kind) with used, reserved, cap and what is left; --history lists an account\'s movements')
    .argument('[account]', 'an account id, e.g. lpp:2025:ultimate_parent:ACME')
    .option('--kind <kind>', 'only this kind: lpp, aia, country_allocation, nveu, uveu')
    .option('--history', 'list the account\'s movements (append-only)')
    .option('--format <format>', 'json or text', 'text')
    .action(async (account: string | undefined, flags: { kind?: string; history?: boolean; format: string }) => {
      try {
        const fmt = format(flags.format);
        const { parseAccountId, ACCOUNT_KINDS } = await import('../ledger/accounts.js');
        if (flags.kind !== undefined && !(ACCOUNT_KINDS as readonly string[]).includes(flags.kind)) throw new InputError('--kind', `one of ${ACCOUNT_KINDS.join(', ')}`);
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          if (account) {
            parseAccountId(account);
            const a = await L.getAccount(store, account);
            if (!a) throw new InputError('account', `no account ${account} yet`);
            const movements = flags.history ? await L.history(store, account) : undefined;
            if (fmt === 'json') return writeJson(movements ? { account: a, movements } : a);
            process.stdout.write(accountsText([a]));
            if (movements) {
              const rows = [['seq', 'date', 'kind', 'used Δ', 'reserved Δ', 'actor', 'ref']];
              for (const m of movements) rows.push([m.seq, m.onDate, m.kind, m.usedDeltaTpp, m.reservedDeltaTpp, m.actor, m.ref ?? m.reservationId ?? m.auditId ?? '']);
              process.stdout.write(`\n${table(rows)}\n`);
            }
            return;
          }
          const all = (await L.listAccounts(store, flags.kind ? { kind: flags.kind } : {})).filter((a) => a.kind !== 'uveu_group');
          if (fmt === 'json') return writeJson(all);
          process.stdout.write(accountsText(all));
        });
      } catch (e) {
        fail(e);
      }
    });

  const op = (name: string, description: string, run: (store: Store, account: string, flags: OpFlags) => Promise<unknown>) =>
    ledger
      .command(name)
      .description(description)
      .argument('<account>', 'account id (see `aidr ledger show`; format in docs/ledger.md)')
      .option('--tpp <tpp>', 'amount in TPP (exact decimal; more than 3 decimals round up)')
      .option('--date <date>', 'business date YYYY-MM-DD (default today); decides date-dependent caps')
      .option('--actor <name>', 'who does it (default AIDR_ACTOR or the OS user)')
      .option('--idempotency-key <key>', 'do it at most once for this key')
      .option('--ref <text>', 'a reference kept with the movement (order, invoice, license number)')
      .action(async (account: string, flags: OpFlags) => {
        try {
          await withStore(async (store) => writeJson(await run(store, account, flags)));
        } catch (e) {
          fail(e);
        }
      });

  op('reserve', 'Hold TPP against an account\'s cap until commit, release or expiry', async (store, account, f) => {
    const L = await import('../ledger/index.js');
    return L.reserve(store, { account, tpp: needTpp(f), date: f.date, actor: defaultActor(f.actor), idempotencyKey: f.idempotencyKey, ref: f.ref, ...(f.ttl ? { ttlSeconds: parseDuration(f.ttl) } : {}) });
  }).option('--ttl <duration>', 'how long the reservation holds (default 24h)');

  op('draw', 'Check the cap and use TPP in one step (NVEU/UVEU installations; UVEU also checks Supp. 10 para. 6)', async (store, account, f) => {
    const L = await import('../ledger/index.js');
    return L.draw(store, { account, tpp: needTpp(f), date: f.date, actor: defaultActor(f.actor), idempotencyKey: f.idempotencyKey, ref: f.ref, headquarters: f.headquarters });
  }).option('--headquarters <country>', 'UVEU: where the UVEU is headquartered');

  op('retire', 'Attrition: remove chips lost, failed, relocated or resold from an NVEU/UVEU installed base', async (store, account, f) => {
    const L = await import('../ledger/index.js');
    return L.retire(store, { account, tpp: needTpp(f), date: f.date, actor: defaultActor(f.actor), idempotencyKey: f.idempotencyKey, ref: f.ref });
  });

  for (const [name, description] of [['commit', 'Turn a reservation into use'], ['release', 'Give a reservation\'s room back']] as const) {
    ledger
      .command(name)
      .description(description)
      .argument('<reservation>', 'the reservation id printed by `aidr ledger reserve`')
      .option('--actor <name>', 'who does it')
      .action(async (reservation: string, flags: { actor?: string }) => {
        try {
          await withStore(async (store) => {
            const L = await import('../ledger/index.js');
            const who = { actor: defaultActor(flags.actor) };
            writeJson(name === 'commit' ? await L.commitReservation(store, reservation, who) : await L.releaseReservation(store, reservation, who));
          });
        } catch (e) {
          fail(e);
        }
      });
  }

  ledger
    .command('expire')
    .description('Release every reservation past its expiry')
    .option('--actor <name>', 'who does it')
    .action(async (flags: { actor?: string }) => {
      try {
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          writeJson({ expired: await L.expireReservations(store, { actor: defaultActor(flags.actor) }) });
        });
      } catch (e) {
        fail(e);
      }
    });

  ledger
    .command('import')
    .description('Import opening balances and past facts (JSON array or JSON Lines of {account, tpp, date?, ref?, idempotencyKey?}); all or nothing, each entry at most once')
    .argument('<file>', 'file, or - for standard input')
    .option('--actor <name>', 'who does it')
    .action(async (file: string, flags: { actor?: string }) => {
      try {
        const r = ImportFile.safeParse(parseImport(readInput(file)));
        if (!r.success) throw issueToError(r.error.issues);
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          writeJson(await L.importEntries(store, r.data, { actor: defaultActor(flags.actor) }));
        });
      } catch (e) {
        fail(e);
      }
    });

  ledger
    .command('record-license')
    .description('Record a license BIS granted: its TPP draws on the destination\'s 2025-2027 country allocation (INT-9)')
    .requiredOption('--country <cc>', 'the destination (ISO alpha-2)')
    .requiredOption('--tpp <tpp>', 'the licensed aggregate TPP')
    .requiredOption('--date <date>', 'the license date (2025-01-01 to 2027-12-31)')
    .option('--license <number>', 'the license number (recording it twice is then harmless)')
    .option('--actor <name>', 'who records it')
    .action(async (flags: { country: string; tpp: string; date: string; license?: string; actor?: string }) => {
      try {
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          const country = flags.country.toUpperCase();
          writeJson(await L.recordFact(store, {
            account: `country_allocation:${country}`, tpp: flags.tpp, date: flags.date, actor: defaultActor(flags.actor),
            ...(flags.license ? { ref: `license ${flags.license}`, idempotencyKey: `license:${country}:${flags.license}` } : {}),
          }));
        });
      } catch (e) {
        fail(e);
      }
    });

  ledger
    .command('record-published')
    .description('Record BIS\'s published aggregate TPP licensed to a country (all exporters), with its date and source')
    .requiredOption('--country <cc>', 'the destination')
    .requiredOption('--tpp <tpp>', 'the published aggregate TPP')
    .requiredOption('--as-of <date>', 'the date the figure is as of')
    .requiredOption('--source <text>', 'where it was published (e.g. the bis.gov page)')
    .option('--actor <name>', 'who records it')
    .action(async (flags: { country: string; tpp: string; asOf: string; source: string; actor?: string }) => {
      try {
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          writeJson(await L.recordPublished(store, { country: flags.country, tpp: flags.tpp, asOf: flags.asOf, source: flags.source, actor: defaultActor(flags.actor) }));
        });
      } catch (e) {
        fail(e);
      }
    });

  ledger
    .command('verify')
    .description('Recompute every balance from movements each vouched for (MAC, audit record); name forged, missing or altered ones (exit 5 if any)')
    .option('--checkpoint <file>', 'a checkpoint from `aidr audit checkpoint`: movements deleted or altered before it are found too')
    .action(async (flags: { checkpoint?: string }) => {
      try {
        const { readCheckpoint } = await import('./audit.js');
        const checkpoint = flags.checkpoint ? await readCheckpoint(flags.checkpoint) : undefined;
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          const r = await L.verifyLedger(store, checkpoint ? { checkpoint } : {});
          writeJson(r);
          if (!r.ok) process.exitCode = EXIT.verificationFailed;
        });
      } catch (e) {
        fail(e);
      }
    });
}

// ---- aidr check --commit ----------------------------------------------------------------------------

export interface CommitFlags { actor?: string; idempotencyKey?: string; exception?: string; format: string }

/**
 * Commit each transaction (one database transaction each, in order) and print
 * `{ determination, commit }` per transaction. A refused commit (cap exceeded, not eligible) is
 * reported as `{ error }` in its place and the exit code is 1; the others stay committed.
 */
export async function commitAll(transactions: import('../contract/transaction.js').Transaction[], batch: boolean, opts: import('../engine/context.js').EvalOptions, flags: CommitFlags, render: (d: import('../contract/determination.js').Determination) => string): Promise<void> {
  const codes = ['AIA', 'ACA', 'ACM', 'NAC', 'LPP'];
  if (flags.exception !== undefined && !codes.includes(flags.exception.toUpperCase())) throw new UsageError(`--exception must be one of ${codes.join(', ')}`);
  if (opts.ledger) throw new UsageError('--ledger and --commit do not combine: when committing, the ledger view comes from the store');
  const exception = flags.exception?.toUpperCase() as 'AIA' | 'ACA' | 'ACM' | 'NAC' | 'LPP' | undefined;
  const actor = defaultActor(flags.actor);
  const out: unknown[] = [];
  let refused: unknown;
  const { commitTransaction, preflightCommits } = await import('../ledger/commit.js');
  preflightCommits(transactions, opts, exception);
  await withStore(async (store) => {
    for (const [i, tx] of transactions.entries()) {
      const key = flags.idempotencyKey === undefined ? undefined : batch ? `${flags.idempotencyKey}#${i}` : flags.idempotencyKey;
      try {
        const r = await commitTransaction(store, tx, opts, { actor, ...(key ? { idempotencyKey: key } : {}), ...(exception ? { exception } : {}) });
        const { determination, ...commit } = r;
        out.push({ determination, commit });
        for (const n of r.notices) process.stderr.write(`aidr: NOTICE ${n}\n`);
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
