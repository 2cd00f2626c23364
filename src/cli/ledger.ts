/**
 * `aidr ledger …`: accounts, reservations and recorded facts. The store is PostgreSQL when
 * DATABASE_URL is set, else SQLite in AIDR_DATA_DIR (default ./.aidr). Database modules load only
 * inside these commands, so `aidr check` stays fast.
 *
 * Exit codes (src/cli/exit.ts): 0 done; 4 refused by a limit or the ledger's state (cap exceeded,
 * UVEU limit, not eligible, a reservation in another state); 2 invalid input or usage (the field
 * path is named), an idempotency conflict, or a reservation, account or record that does not exist;
 * 5 a failed verification; 1 an internal failure (the database unreachable).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Store } from '../store/open.js';
import type { AccountState } from '../ledger/index.js';
import { issueToError } from '../contract/parse.js';
import { InputError } from '../engine/context.js';
import { EXIT } from './exit.js';
import { collectInterpretation, parseJson, readInput, reportAndExit, UsageError, writeJson } from './io.js';

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

/** A ledger result as JSON on stdout; what a person must act on (notices) or know (warnings) also on stderr. */
function writeResult(r: unknown): void {
  writeJson(r);
  const x = r as { notices?: string[]; warnings?: string[] };
  for (const n of x.notices ?? []) process.stderr.write(`aidr: NOTICE ${n}\n`);
  for (const w of x.warnings ?? []) process.stderr.write(`aidr: WARNING ${w}\n`);
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
  const caps = accounts.filter((a) => a.capNote !== undefined).map((a) => `${a.id}: cap as of ${a.capAsOf}: ${a.capNote}\n`);
  const notes = accounts.filter((a) => a.countryLicensedTpp !== undefined)
    .map((a) => `${a.id}: with BIS's published figure, ${a.countryLicensedTpp} TPP licensed to ${a.key} in all, ${a.countryLeftTpp} left (what determinations use; INT-9)\n`);
  return `${table(rows)}\n${caps.join('')}${notes.join('')}`;
}

interface OpFlags {
  tpp?: string; date?: string; actor?: string; idempotencyKey?: string; ref?: string; ttl?: string;
  headquarters?: string; ultimateParentHeadquarters?: string; interpretation?: Record<string, string>;
}

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
  headquarters: z.string().optional(),
  ultimateParentHeadquarters: z.string().optional(),
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
    .option('--date <date>', 'the date whose caps to show (an NVEU\'s Table 1 quarter; default today)')
    .option('--format <format>', 'json or text', 'text')
    .action(async (account: string | undefined, flags: { kind?: string; history?: boolean; date?: string; format: string }) => {
      try {
        const fmt = format(flags.format);
        const { checkDate } = await import('../ledger/request.js');
        const asOf = checkDate(flags.date, '--date');
        const { accountId, parseAccountId, ACCOUNT_KINDS } = await import('../ledger/accounts.js');
        if (flags.kind !== undefined && !(ACCOUNT_KINDS as readonly string[]).includes(flags.kind)) throw new InputError('--kind', `one of ${ACCOUNT_KINDS.join(', ')}`);
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          if (account) {
            // Any spelling of the consignee finds its account (ids are normalized, migration 008).
            account = accountId(parseAccountId(account));
            const a = await L.getAccount(store, account, asOf);
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
          const all = (await L.listAccounts(store, { asOf, ...(flags.kind ? { kind: flags.kind } : {}) })).filter((a) => a.kind !== 'uveu_group');
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
      .option('--interpretation <ID=READING>', 'choose a reading, e.g. INT-36=own_headquarters (repeatable)', collectInterpretation)
      .action(async (account: string, flags: OpFlags) => {
        try {
          await withStore(async (store) => writeResult(await run(store, account, flags)));
        } catch (e) {
          fail(e);
        }
      });

  op('reserve', 'Hold TPP against an account\'s cap until commit, release or expiry', async (store, account, f) => {
    const L = await import('../ledger/index.js');
    return L.reserve(store, { account, tpp: needTpp(f), date: f.date, actor: defaultActor(f.actor), idempotencyKey: f.idempotencyKey, ref: f.ref, interpretations: f.interpretation, ...(f.ttl ? { ttlSeconds: parseDuration(f.ttl) } : {}) });
  }).option('--ttl <duration>', 'how long the reservation holds (default 24h)');

  op('draw', 'Check the cap and use TPP in one step (NVEU/UVEU installations; UVEU also checks Supp. 10 para. 6)', async (store, account, f) => {
    const L = await import('../ledger/index.js');
    return L.draw(store, {
      account, tpp: needTpp(f), date: f.date, actor: defaultActor(f.actor), idempotencyKey: f.idempotencyKey, ref: f.ref, interpretations: f.interpretation,
      headquarters: f.headquarters, ultimateParentHeadquarters: f.ultimateParentHeadquarters,
    });
  }).option('--headquarters <country>', 'UVEU: where the UVEU is headquartered (recorded with its first installation)')
    .option('--ultimate-parent-headquarters <country>', 'UVEU: where its ultimate parent is headquartered (Supp. 10 para. 13; INT-36)');

  op('retire', 'Attrition: remove chips lost, failed, relocated or resold from an NVEU/UVEU installed base', async (store, account, f) => {
    const L = await import('../ledger/index.js');
    return L.retire(store, { account, tpp: needTpp(f), date: f.date, actor: defaultActor(f.actor), idempotencyKey: f.idempotencyKey, ref: f.ref, interpretations: f.interpretation });
  });

  ledger
    .command('transfer')
    .description('Move installed TPP between two countries of one NVEU or UVEU, checked as one act (UVEU: Supp. 10 para. 6 on the group after it; NVEU: Table 1 in the receiving country)')
    .argument('<from>', 'the account the chips leave, e.g. uveu:ACME:US')
    .argument('<to>', 'the account they join, e.g. uveu:ACME:MY')
    .option('--tpp <tpp>', 'amount in TPP (exact decimal)')
    .option('--date <date>', 'business date YYYY-MM-DD (default today)')
    .option('--actor <name>', 'who does it (default AIDR_ACTOR or the OS user)')
    .option('--idempotency-key <key>', 'do it at most once for this key')
    .option('--ref <text>', 'a reference kept with both movements')
    .option('--headquarters <country>', 'UVEU: where the UVEU is headquartered (when none is recorded yet)')
    .option('--ultimate-parent-headquarters <country>', 'UVEU: where its ultimate parent is headquartered')
    .option('--interpretation <ID=READING>', 'choose a reading (repeatable)', collectInterpretation)
    .action(async (from: string, to: string, f: OpFlags) => {
      try {
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          writeResult(await L.transfer(store, {
            from, to, tpp: needTpp(f), date: f.date, actor: defaultActor(f.actor), idempotencyKey: f.idempotencyKey, ref: f.ref, interpretations: f.interpretation,
            headquarters: f.headquarters, ultimateParentHeadquarters: f.ultimateParentHeadquarters,
          }));
        });
      } catch (e) {
        fail(e);
      }
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
    .description('Import opening balances and past facts (JSON array or JSON Lines of {account, tpp, date?, ref?, idempotencyKey?, headquarters?, ultimateParentHeadquarters?}); checked as draws are, all or nothing, each entry at most once')
    .argument('<file>', 'file, or - for standard input')
    .option('--actor <name>', 'who does it')
    .option('--interpretation <ID=READING>', 'choose a reading (repeatable)', collectInterpretation)
    .action(async (file: string, flags: { actor?: string; interpretation?: Record<string, string> }) => {
      try {
        const r = ImportFile.safeParse(parseImport(readInput(file)));
        if (!r.success) throw issueToError(r.error.issues);
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          writeJson(await L.importEntries(store, r.data, { actor: defaultActor(flags.actor), interpretations: flags.interpretation }));
        });
      } catch (e) {
        fail(e);
      }
    });

  ledger
    .command('record-license')
    .description('Record a license BIS granted: its TPP draws on the destination\'s 2025-2027 country allocation (INT-9), unless its end user is headquartered in Supp. 5(a) (INT-14)')
    .requiredOption('--country <cc>', 'the destination (ISO alpha-2): outside Supp. 5(a), Macau and D:5')
    .requiredOption('--tpp <tpp>', 'the licensed aggregate TPP')
    .requiredOption('--date <date>', 'the license date (2025-01-01 to 2027-12-31)')
    .option('--license <number>', 'the license number (recording it twice is then harmless)')
    .option('--end-user-headquarters <cc>', 'where the licensed end user is headquartered (Supp. 5(a): recorded, draws nothing)')
    .option('--end-user-parent-headquarters <cc>', 'where its ultimate parent is headquartered')
    .option('--interpretation <ID=READING>', 'choose a reading, e.g. INT-14=allocation (repeatable)', collectInterpretation)
    .option('--actor <name>', 'who records it')
    .action(async (flags: { country: string; tpp: string; date: string; license?: string; actor?: string; endUserHeadquarters?: string; endUserParentHeadquarters?: string; interpretation?: Record<string, string> }) => {
      try {
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          const country = flags.country.toUpperCase();
          writeResult(await L.recordFact(store, {
            account: `country_allocation:${country}`, tpp: flags.tpp, date: flags.date, actor: defaultActor(flags.actor), interpretations: flags.interpretation,
            ...(flags.license ? { ref: `license ${flags.license}`, idempotencyKey: `license:${country}:${flags.license}` } : {}),
            ...(flags.endUserHeadquarters ? { endUserHeadquarters: flags.endUserHeadquarters } : {}),
            ...(flags.endUserParentHeadquarters ? { endUserParentHeadquarters: flags.endUserParentHeadquarters } : {}),
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
    .command('record-increase')
    .description('Record an increase of a country allocation BIS granted (742.6(b)(10)(iii)(C), up to 100 %; INT-37: none is assumed until recorded)')
    .requiredOption('--country <cc>', 'the destination')
    .requiredOption('--tpp <tpp>', 'the TPP added to its allocation')
    .requiredOption('--as-of <date>', 'the date BIS granted it')
    .requiredOption('--source <text>', 'where it was granted or published')
    .option('--actor <name>', 'who records it')
    .action(async (flags: { country: string; tpp: string; asOf: string; source: string; actor?: string }) => {
      try {
        await withStore(async (store) => {
          const L = await import('../ledger/index.js');
          writeResult(await L.recordIncrease(store, { country: flags.country, tpp: flags.tpp, asOf: flags.asOf, source: flags.source, actor: defaultActor(flags.actor) }));
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

export { commitAll, type CommitFlags } from './commit.js';
