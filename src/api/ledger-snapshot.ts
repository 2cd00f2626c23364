/**
 * The stored ledger as HTTP evaluate reads it, kept between requests while it cannot have changed.
 *
 * Evaluate reads the same figures as `aidr check` (src/screen/sources.ts: used + live reservations
 * per account, TPP licensed per country). Reading them afresh costs three or four SQL queries per
 * request, most of a request's overhead; the figures change only when something writes. So on
 * SQLite the figures read are kept, and thrown away when either of these says they may be stale:
 *
 * - **A write, by any process.** `PRAGMA data_version` on the read connection changes whenever
 *   another connection commits: this process's writer (every transaction), another server or an
 *   `aidr` command on the same file. Writes outside a transaction run on the read connection
 *   itself, which data_version does not count: that connection counts them (Store.dataVersion,
 *   src/store/sqlite.ts).
 * - **Time.** A reservation holds TPP only until it expires (src/ledger/view.ts counts those with
 *   `expires_at > now`), so the figures are kept only until the earliest expiry still ahead.
 *
 * The version is read before any figure, so a figure read while another process commits is
 * tagged with the older version and thrown away at the next request. It is read once for all the
 * evaluations that ask for it within one turn of the event loop (`version`): read after every one
 * of them asked, so after every one of those requests arrived, it still counts every write made
 * before any of them arrived; under load one statement serves many requests, and the turn's
 * evaluations then run one after another, which measured as the larger gain (warm caches, answers
 * sent together: docs/http.md, "Performance"). PostgreSQL has no such cheap signal: there every
 * request reads afresh, as before.
 */
import type { LedgerSource } from '../screen/evaluate.js';
import { storeLedger } from '../screen/sources.js';
import type { Store } from '../store/open.js';
import { endOfTurn } from './turn.js';

/**
 * The most accounts and countries read into one kept snapshot; past it the next request starts a
 * new one (a server evaluating for many consignees without writing would otherwise keep every
 * figure it ever read). A snapshot is replaced, never emptied: a request between its prefetch and
 * its evaluation still holds all the figures it read (so storeLedger is told never to empty it).
 */
const KEPT_READS = 20_000;

interface Kept {
  source: LedgerSource;
  /** Accounts and countries asked of it so far (an upper bound of what it holds). */
  reads: number;
  version: string;
  /** The earliest expiry of a live reservation when the figures were first read (ISO text, as stored); none: undefined. */
  until: string | undefined;
}

export class LedgerSnapshot {
  private kept: Kept | undefined;
  /** The version read that the evaluations asking in this turn of the event loop wait for. */
  private waiting: Promise<string> | undefined;
  /** A snapshot being started, with the version it is tagged with. */
  private starting: { version: string; kept: Promise<Kept> } | undefined;

  constructor(private readonly store: Store) {}

  /** A source of the stored ledger's figures as they stand now (read on demand by `prefetch`). */
  async current(): Promise<LedgerSource> {
    if (!this.store.dataVersion) return storeLedger(this.store);
    const version = await this.version();
    // Same text form as the ledger's own comparison (`expires_at > now.toISOString()`).
    const now = new Date().toISOString();
    const fresh = (k: Kept | undefined): k is Kept => k !== undefined && k.version === version && (k.until === undefined || now < k.until);
    if (fresh(this.kept)) return this.kept.source;
    // The evaluations of one turn that find the figures stale (after a write) share one new snapshot.
    if (this.starting?.version === version) {
      const k = await this.starting.kept;
      if (fresh(k)) return k.source;
    }
    const starting = { version, kept: this.start(version, now) };
    this.starting = starting;
    try {
      const k = await starting.kept;
      this.kept = k;
      return k.source;
    } finally {
      if (this.starting === starting) this.starting = undefined;
    }
  }

  /** A new snapshot, tagged with the version read before it. */
  private async start(version: string, now: string): Promise<Kept> {
    const until = await this.nextExpiry(now);
    const read = await storeLedger(this.store, Infinity);
    const kept: Kept = {
      reads: 0, version, until,
      source: {
        description: read.description,
        prefetch: (accounts, countries) => {
          kept.reads += accounts.length + countries.length;
          if (kept.reads > KEPT_READS && this.kept === kept) this.kept = undefined;
          return read.prefetch(accounts, countries);
        },
        used: (account) => read.used(account),
        licensed: (country, asOf, perYear) => read.licensed(country, asOf, perYear),
      },
    };
    return kept;
  }

  /**
   * The store's version, read once for every evaluation that asks before the read is made: the
   * read waits for the end of this turn's I/O callbacks (setImmediate), and a caller that comes
   * after it has started waits for the next one. So the version is always read after the request
   * asking for it arrived.
   */
  private version(): Promise<string> {
    return (this.waiting ??= endOfTurn().then(() => {
      this.waiting = undefined;
      return this.store.dataVersion!();
    }));
  }

  /** The first moment after `now` at which a live reservation stops holding TPP. */
  private async nextExpiry(now: string): Promise<string | undefined> {
    const row = await this.store.db.selectFrom('ledger_reservations').select((eb) => eb.fn.min<string>('expires_at').as('next'))
      .where('state', '=', 'reserved').where('expires_at', '>', now).executeTakeFirst();
    return row?.next ?? undefined;
  }
}
