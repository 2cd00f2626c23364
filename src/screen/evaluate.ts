/**
 * Evaluating one order line inside a batch: the ledger view the engine reads is the stored
 * ledger (when there is one) plus what the earlier lines of the same file drew for the same
 * ultimate consignee, so a batch is added up in file order and the line that crosses a cap is
 * the one reported. A line "draws" what a commit of it would draw: the exception a commit would
 * use (`chooseException`), LPP on the ultimate consignee's annual account (both INT-7 readings,
 * as a commit tracks them), AIA chips on the consignee's cumulative AIA total; under the enforced
 * regime, what the codified answer's exception draws, as a commit tracks it (`drawingException`),
 * so that the codified columns add up as the rule as written would.
 */
import type { Determination, ExceptionCode } from '../contract/determination.js';
import type { Transaction } from '../contract/transaction.js';
import { Decimal } from '../compute/exact.js';
import { defaultReading } from '../data/interpretations.js';
import { LPP } from '../data/parameters.js';
import type { EvalOptions, LedgerView } from '../engine/context.js';
import { determine, today } from '../engine/determine.js';
import { accountId, type LppReading } from '../ledger/accounts.js';
import { toMilli, toPositiveMilli } from '../ledger/amount.js';
import { chooseException, drawingException } from '../ledger/commit.js';
import { aiaPerYear, allocationPerYear, ledgerKeys, yearSlice } from '../ledger/view.js';

/** What the stored ledger holds (used + reserved, milli-TPP), read ahead for a batch of lines. */
export interface LedgerSource {
  /** Where it comes from, said in the output ("sqlite /…/aidr.sqlite", "none"). */
  readonly description: string;
  /**
   * Read these accounts and countries, so that `used` and `licensed` answer without waiting. An
   * account may be one calendar year of it (`yearSlice`: INT-31 per_calendar_year); a country
   * `perYear` counts its calendar year only (INT-9 per_calendar_year).
   */
  prefetch(accounts: readonly string[], countries: readonly { code: string; asOf: string; perYear?: boolean }[]): Promise<void>;
  used(account: string): bigint;
  licensed(country: string, asOf: string, perYear?: boolean): bigint | undefined;
}

/** No stored ledger: nothing used before this file; country allocations unknown. */
export const NO_LEDGER: LedgerSource = {
  description: 'none',
  prefetch: async () => undefined,
  used: () => 0n,
  licensed: () => undefined,
};

const LPP_CAP = toMilli(LPP.annualCap, 'cap');
/** Consignee-years whose accounts a Batch keeps at hand (an order book's customers, 20,000 in the benchmark, over two years). */
const ID_CACHE = 50_000;
/** The most years (and parents) chained under one consignee id. */
const CHAIN = 8;

/**
 * One account's milli-TPP drawn by the earlier lines of the file, and the last figure the view
 * gave for it (`at` milli-TPP as a Decimal).
 */
interface Drawn { readonly id: string; milli: bigint; at: bigint; tpp: Decimal | undefined }
interface Accounts { up: Drawn; ow: Drawn; aia: Drawn }
/**
 * A consignee's accounts in one calendar year (`year`: its number), and the next year or parent met
 * under the same consignee id (`depth`: how many from this one on).
 */
interface Keyed extends Accounts {
  readonly year: number;
  readonly parent: string | undefined;
  readonly next: Keyed | undefined;
  readonly depth: number;
}

/** The year of a date as a number (the ledger's `asOf.slice(0, 4)`, view.ts ledgerKeys), or -1 when it is not four digits. */
function yearNumber(asOf: string): number {
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const digit = asOf.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    year = year * 10 + digit;
  }
  return year;
}

/** Plainly not blank (the ledger's `given`): it starts with a printable ASCII character other than a space. */
function plainlyGiven(s: string): boolean {
  const first = s.charCodeAt(0);
  return first > 32 && first < 127;
}

/** The accounts and countries a line's view reads (for `prefetch`). */
export function ledgerNeeds(tx: Transaction, opts: EvalOptions): { accounts: string[]; country?: { code: string; asOf: string; perYear?: boolean } } {
  const asOf = opts.asOf ?? tx.date ?? today();
  const keys = ledgerKeys(tx, asOf, opts.interpretations);
  const accounts: string[] = [];
  if (keys.lpp) accounts.push(accountId(keys.lpp.ultimate_parent), accountId(keys.lpp.owner));
  if (keys.aia) accounts.push(aiaPerYear(opts.interpretations) ? yearSlice(accountId(keys.aia), keys.year) : accountId(keys.aia));
  const perYear = allocationPerYear(opts.interpretations);
  return { accounts, ...(tx.to ? { country: { code: tx.to, asOf, ...(perYear ? { perYear } : {}) } } : {}) };
}

export interface LineResult {
  determination: Determination;
  /** The exception a commit of this line would use (null: none). */
  exception: ExceptionCode | null;
  /** LPP room left for the ultimate consignee after this line (chosen INT-7 reading), when LPP is in play. */
  lppLeftTpp?: string;
}

/**
 * The running totals of one batch: milli-TPP drawn by earlier lines per account. Lines of one
 * ultimate consignee must reach the same Batch in file order (the pool routes them so).
 */
export class Batch {
  /** What this file's earlier lines drew, per account id. */
  private readonly drawn = new Map<string, Drawn>();
  /**
   * The accounts per consignee id (normalizing a key costs more than evaluating a line's ledger),
   * its years and parents chained; per spelling (year, parent, id, name) for a consignee without a
   * plain id. Bounded; the amounts drawn stay in `drawn` when they are cleared.
   */
  private readonly byId = new Map<string, Keyed>();
  private readonly bySpelling = new Map<string, Keyed>();
  /** Entries held in `byId` and `bySpelling`. */
  private keyed = 0;
  private readonly noStore: boolean;
  /** INT-7: whose LPP account the chosen reading draws on. */
  private readonly reading: LppReading;
  /**
   * INT-39 operator: a Supp. 5(a) consignee's LPP draws count on the operating end user's cap
   * (ledgerKeys), which the id caches below do not key: every line is keyed afresh then.
   */
  private readonly byOperator: boolean;
  /** INT-31 per_calendar_year: the AIA total of the line's calendar year (one account per year here). */
  private readonly aiaPerYear: boolean;
  /** INT-9 per_calendar_year: the country's licensed TPP of the line's calendar year. */
  private readonly allocationPerYear: boolean;

  constructor(private readonly source: LedgerSource, private readonly opts: EvalOptions, private readonly fixed?: LedgerView) {
    this.noStore = source === NO_LEDGER;
    this.reading = (opts.interpretations?.['INT-7'] ?? defaultReading('INT-7')) as LppReading;
    this.byOperator = (opts.interpretations?.['INT-39'] ?? defaultReading('INT-39')) === 'operator';
    this.aiaPerYear = aiaPerYear(opts.interpretations);
    this.allocationPerYear = allocationPerYear(opts.interpretations);
  }

  private used(a: Drawn): bigint {
    return this.noStore ? a.milli : this.source.used(a.id) + a.milli;
  }

  private account(id: string): Drawn {
    let a = this.drawn.get(id);
    if (a === undefined) this.drawn.set(id, (a = { id, milli: 0n, at: 0n, tpp: undefined }));
    return a;
  }

  /**
   * The account's figure `m` as the Decimal the engine reads (it takes a string as a new Decimal
   * per line, through a parse cache it would fill with each line's figure): kept until it changes.
   */
  private tpp(a: Drawn, m: bigint): Decimal {
    if (a.tpp === undefined || a.at !== m) {
      a.at = m;
      a.tpp = new Decimal(milliText(m));
    }
    return a.tpp;
  }

  /**
   * The LPP (both INT-7 readings) and AIA accounts of the consignee, when the ledger can key it.
   * A plain id decides whose accounts they are (ledgerKeys reads the name only without one): found
   * by the id, then the year and parent compared, rather than by a key string joined per line and
   * read back from a second object (the memory a line waits on): a found consignee 1.2 → 0.5 µs in a
   * micro-benchmark of 60,000 order lines.
   */
  private accounts(tx: Transaction, asOf: string): Accounts | undefined {
    const c = tx.consignee;
    if (!c) return undefined;
    const id = c.id;
    const year = yearNumber(asOf);
    if (this.byOperator) return this.accountsOf(tx, asOf, year, c.ultimateParentId);
    if (id !== undefined && year >= 0 && plainlyGiven(id)) {
      const parent = c.ultimateParentId;
      let first = this.byId.get(id);
      for (let k = first; k !== undefined; k = k.next) if (k.year === year && k.parent === parent) return k;
      const found = this.accountsById(id, parent, asOf, first);
      if (this.full()) first = undefined;
      // A chain holds an id's years (and parents): a longer one starts anew.
      const next = first === undefined || first.depth >= CHAIN ? undefined : first;
      const keyed = { up: found.up, ow: found.ow, aia: found.aia, year, parent, next, depth: next === undefined ? 1 : next.depth + 1 };
      this.byId.set(id, keyed);
      return keyed;
    }
    if (id === undefined && c.name === undefined) return undefined;
    const spelling = `${asOf.slice(0, 4)}\u0000${c.ultimateParentId ?? ''}\u0000${id ?? ''}\u0000${c.name ?? ''}`;
    let keyed = this.bySpelling.get(spelling);
    if (keyed === undefined) {
      keyed = this.accountsOf(tx, asOf, year, c.ultimateParentId);
      if (keyed === undefined) return undefined;
      this.full();
      this.bySpelling.set(spelling, keyed);
    }
    return keyed;
  }

  /**
   * The accounts of a consignee with a plain id, as ledgerKeys keys them (INT-39 read as the consignee: the
   * consignee's own cap, the id over the name) without its other questions; the AIA account, the
   * same in every year, taken from an earlier year's entry: a customer's first line in a year
   * costs 2 account ids instead of 3 and no ledgerKeys.
   */
  private accountsById(id: string, parent: string | undefined, asOf: string, known: Keyed | undefined): Accounts {
    const year = asOf.slice(0, 4);
    const entity = parent !== undefined && parent.trim() !== '' ? parent : id;
    const up = this.account(accountId({ kind: 'lpp', year, reading: 'ultimate_parent', entity }));
    const ow = this.account(accountId({ kind: 'lpp', year, reading: 'owner', entity: id }));
    if (known !== undefined && !this.aiaPerYear) return { up, ow, aia: known.aia };
    const aia = accountId({ kind: 'aia', entity: id });
    return { up, ow, aia: this.account(this.aiaPerYear ? yearSlice(aia, year) : aia) };
  }

  /** The consignee's accounts, keyed from scratch (ledgerKeys, accountId). */
  private accountsOf(tx: Transaction, asOf: string, year: number, parent: string | undefined): Keyed | undefined {
    const keys = ledgerKeys(tx, asOf, this.opts.interpretations);
    if (!keys.lpp || !keys.aia) return undefined;
    const aia = this.aiaPerYear ? yearSlice(accountId(keys.aia), keys.year) : accountId(keys.aia);
    return { up: this.account(accountId(keys.lpp.ultimate_parent)), ow: this.account(accountId(keys.lpp.owner)), aia: this.account(aia), year, parent, next: undefined, depth: 1 };
  }

  /** Counts one more entry kept; clears both caches first when they are full (true then). */
  private full(): boolean {
    const cleared = this.keyed >= ID_CACHE;
    if (cleared) {
      this.byId.clear();
      this.bySpelling.clear();
      this.keyed = 0;
    }
    this.keyed++;
    return cleared;
  }

  evaluate(tx: Transaction): LineResult {
    const opts = this.opts;
    const asOf = opts.asOf ?? tx.date ?? today();
    const reading = this.reading;
    const acc = this.accounts(tx, asOf);
    const fixed = this.fixed;
    // Only what is known goes into the view: an absent LPP or AIA figure is 0 to the engine. One
    // literal with every field (a spread or fields added one by one give each line's view its own shape).
    let lppUsedTpp = fixed?.lppUsedTpp;
    let lppUsedTppByReading = fixed?.lppUsedTppByReading;
    let aiaCumulativeTpp = fixed?.aiaCumulativeTpp;
    let countryLicensedTpp = fixed?.countryLicensedTpp;
    if (acc) {
      let up = this.used(acc.up);
      let ow = this.used(acc.ow);
      if (fixed?.lppUsedTpp !== undefined) {
        const base = toMilli(fixed.lppUsedTpp, 'ledger.lppUsedTpp');
        up += base;
        ow += base;
      }
      if (up !== 0n || ow !== 0n) {
        const byParent = this.tpp(acc.up, up);
        const byOwner = this.tpp(acc.ow, ow);
        lppUsedTppByReading = { ultimate_parent: byParent, owner: byOwner };
        lppUsedTpp = reading === 'owner' ? byOwner : byParent;
      }
      if (fixed?.aiaCumulativeTpp === undefined) {
        const aia = this.used(acc.aia);
        if (aia !== 0n) aiaCumulativeTpp = this.tpp(acc.aia, aia);
      }
    }
    if (tx.to && fixed?.countryLicensedTpp === undefined) {
      const licensed = this.source.licensed(tx.to, asOf, this.allocationPerYear);
      if (licensed !== undefined) countryLicensedTpp = milliText(licensed);
    }
    const view: LedgerView = { lppUsedTpp, lppUsedTppByReading, aiaCumulativeTpp, countryLicensedTpp };
    let d = determine(tx, opts, view);
    // The allocation is another country's (Hong Kong is read as China): read that country's figure.
    if (d.allocation && d.allocation.country !== tx.to && fixed?.countryLicensedTpp === undefined) {
      const licensed = this.source.licensed(d.allocation.country, asOf, this.allocationPerYear);
      if (licensed !== undefined) d = determine(tx, opts, { lppUsedTpp, lppUsedTppByReading, aiaCumulativeTpp, countryLicensedTpp: milliText(licensed) });
    }
    const exception = chooseException(d, undefined);
    // Under the enforced regime, the codified answer's draws (what a commit tracks): the codified columns add up.
    const drawing = drawingException(d, exception);
    if (acc && (drawing === 'LPP' || drawing === 'AIA')) {
      const amount = shipmentMilli(d);
      if (drawing === 'LPP' && amount !== undefined) {
        const chosen = reading === 'owner' ? acc.ow : acc.up;
        this.add(chosen, amount);
        const other = reading === 'owner' ? acc.up : acc.ow;
        if (other !== chosen) this.add(other, amount);
      } else if (drawing === 'AIA' && amount !== undefined && d.classification.eccn !== '4E091' && d.classification.tppPerUnit !== undefined) {
        this.add(acc.aia, amount);
      }
    }
    const out: LineResult = { determination: d, exception };
    if (acc && d.exceptions.some((e) => e.code === 'LPP')) {
      const left = LPP_CAP - this.used(reading === 'owner' ? acc.ow : acc.up);
      out.lppLeftTpp = milliText(left > 0n ? left : 0n);
    }
    return out;
  }

  private add(a: Drawn, amount: bigint): void {
    a.milli += amount;
  }
}

/** Milli-TPP as an exact decimal string of TPP ("26900000", "1.5"), without a Decimal. */
export function milliText(m: bigint): string {
  // Within 2^53 a Number holds the figure exactly and its arithmetic and digits are the bigint's, cheaper.
  if (m <= SAFE_MILLI && m >= -SAFE_MILLI) return safeMilliText(Number(m));
  const neg = m < 0n;
  const a = neg ? -m : m;
  const whole = a / 1000n;
  const frac = a % 1000n;
  const text = frac === 0n ? whole.toString() : `${whole}.${frac.toString().padStart(3, '0').replace(/0+$/, '')}`;
  return neg ? `-${text}` : text;
}

const SAFE_MILLI = BigInt(Number.MAX_SAFE_INTEGER);

/** `milliText` of a whole number of milli-TPP within ±2^53. */
function safeMilliText(m: number): string {
  const a = m < 0 ? -m : m;
  const frac = a % 1000;
  const whole = (a - frac) / 1000;
  const text = frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
  return m < 0 ? `-${text}` : text;
}

function shipmentMilli(d: Determination): bigint | undefined {
  const n = d.classification.aggregateTpp;
  if (d.classification.aggregateTppExact === undefined && n !== undefined && Number.isSafeInteger(n)) return n > 0 ? BigInt(n) * 1000n : undefined;
  const agg = d.classification.aggregateTppExact ?? (d.classification.aggregateTpp === undefined ? undefined : String(d.classification.aggregateTpp));
  if (agg === undefined) return undefined;
  try {
    return toPositiveMilli(agg, 'item');
  } catch {
    return undefined;
  }
}
