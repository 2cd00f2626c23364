/**
 * `POST /v1/determinations` (evaluate, or commit) and `POST /v1/classifications`.
 *
 * The body is one of three shapes (documented in OpenAPI as DeterminationBody):
 * - a bare Transaction, exactly as `aidr check` reads it → one Determination;
 * - an array of Transactions → an array of Determinations, in order;
 * - the envelope `{ transaction | transactions, options?, commit?, idempotencyKey?, exception? }`.
 * A bare Transaction never has the envelope's keys (the schema is strict), so the shape is
 * decided by which keys are present, never by guessing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Determination } from '../../contract/determination.js';
import { Transaction } from '../../contract/transaction.js';
import { quickTransaction } from '../../contract/transaction-fast.js';
import { readingsFrom, InputError, type EvalOptions } from '../../engine/context.js';
import { determine } from '../../engine/determine.js';
import { ledgerProbe } from '../../engine/ledger-probe.js';
import { fillTransaction, namesAParty, registerLookup, withRegisterNotes } from '../../parties/fill.js';
import { canonicalJson, unstorablePath } from '../../store/canonical.js';
import { ApiProblem, fieldErrors, MAX_ERRORS, problemBody, type FieldError } from '../problem.js';
import {
  ClassificationRequest, ClassificationResponse, DeterminationBody, DeterminationEnvelope, DeterminationResponse, UNSTORABLE_MESSAGE, Problem,
} from '../schemas.js';
import { LedgerSnapshot } from '../ledger-snapshot.js';
import { endOfTurn } from '../turn.js';
import { RegimeQuery, withQueryRegime } from '../regime.js';
import { parsePart, requireRole, sendJson, sendJsonText, toProblem, type ApiContext } from '../server.js';

const ENVELOPE_KEYS = ['transaction', 'transactions', 'options', 'commit', 'idempotencyKey', 'exception'];

interface Parsed {
  batch: boolean;
  transactions: Transaction[];
  options: EvalOptions;
  commit: boolean;
  idempotencyKey?: string;
  exception?: 'AIA' | 'ACM' | 'LPP' | 'NAC' | 'ACA' | 'HBM';
  /** Where the transactions sit in the body, for error paths. */
  prefix: string;
}

function isEnvelope(body: object): boolean {
  for (const k of ENVELOPE_KEYS) if (k in body) return true;
  return false;
}

/** Commit asked for? Read before validation so that a forbidden commit is refused as 403 whatever else is wrong. */
export function asksCommit(body: unknown): boolean {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && (body as { commit?: unknown }).commit === true;
}

function parseBody(body: unknown, maxBatch: number): Parsed {
  if (body === undefined || body === null) {
    throw new ApiProblem('malformed-request', 'send a JSON body (Content-Type: application/json): a Transaction, an array of them, or { "transaction": …, "options": … }');
  }
  let raw: unknown[];
  let batch: boolean;
  let prefix = 'body';
  const out: Omit<Parsed, 'transactions' | 'batch' | 'prefix'> = { options: {}, commit: false };
  if (Array.isArray(body)) {
    raw = body;
    batch = true;
  } else if (typeof body !== 'object') {
    throw new ApiProblem('validation', 'body: expected a transaction object, an array of them, or the envelope', [{ path: 'body', message: 'expected an object or an array' }]);
  } else if (isEnvelope(body)) {
    const e = parsePart(DeterminationEnvelope, body, 'body');
    if ((e.transaction === undefined) === (e.transactions === undefined)) {
      throw new ApiProblem('validation', 'body: give exactly one of transaction or transactions', [{ path: 'body.transaction', message: 'give exactly one of transaction or transactions' }]);
    }
    batch = e.transactions !== undefined;
    raw = e.transactions ?? [e.transaction];
    prefix = batch ? 'body.transactions' : 'body.transaction';
    if (e.options) out.options = e.options as EvalOptions;
    out.commit = e.commit === true;
    if (e.idempotencyKey !== undefined || e.exception !== undefined) {
      if (!out.commit) throw new ApiProblem('validation', 'body: idempotencyKey and exception go with "commit": true', [{ path: e.idempotencyKey !== undefined ? 'body.idempotencyKey' : 'body.exception', message: 'only with "commit": true' }]);
      if (e.idempotencyKey !== undefined) out.idempotencyKey = e.idempotencyKey;
      if (e.exception !== undefined) out.exception = e.exception;
    }
    if (out.commit && e.options?.ledger !== undefined) {
      throw new ApiProblem('validation', 'body.options.ledger: when committing, the ledger view comes from the store; do not pass one', [{ path: 'body.options.ledger', message: 'not with "commit": true' }]);
    }
  } else {
    raw = [body];
    batch = false;
  }
  if (raw.length === 0) throw new ApiProblem('validation', `${prefix}: an empty array: give at least one transaction`, [{ path: prefix, message: 'give at least one transaction' }]);
  if (raw.length > maxBatch) throw new ApiProblem('too-large', `${raw.length} transactions in one request; at most ${maxBatch}: split the batch`, undefined, { maxBatch });
  const transactions: Transaction[] = new Array(raw.length);
  let errors: FieldError[] | undefined;
  let issueCount = 0;
  for (let i = 0; i < raw.length; i++) {
    // A plainly valid transaction (most requests) is taken by the quick path, which gives exactly
    // what the schema would; anything else, and every error with its path, is the schema's.
    const quick = quickTransaction(raw[i]);
    if (quick) {
      transactions[i] = quick;
      continue;
    }
    const r = Transaction.safeParse(raw[i]);
    if (r.success) {
      transactions[i] = r.data;
      continue;
    }
    issueCount += r.error.issues.length;
    errors ??= [];
    if (errors.length < MAX_ERRORS) errors.push(...fieldErrors(r.error.issues, batch ? `${prefix}[${i}]` : prefix).slice(0, MAX_ERRORS - errors.length));
  }
  if (errors) {
    const more = issueCount > 1 ? ` (and ${issueCount - 1} more)` : '';
    throw new ApiProblem('validation', `${errors[0]!.path}: ${errors[0]!.message}${more}`, errors, issueCount > errors.length ? { omitted: issueCount - errors.length } : undefined);
  }
  // Interpretation ids and readings: checked once per request, with the option's path.
  if (out.options.interpretations) {
    try {
      readingsFrom(out.options.interpretations);
    } catch (e) {
      throw toProblem(e, 'body.options');
    }
  }
  // Built field by field: spreading `out` cost more than the rest of the envelope's handling.
  const parsed: Parsed = { batch, transactions, options: out.options, commit: out.commit, prefix };
  if (out.idempotencyKey !== undefined) parsed.idempotencyKey = out.idempotencyKey;
  if (out.exception !== undefined) parsed.exception = out.exception;
  return parsed;
}

/** The ledger can key an account for it: a consignee with an id or a name (LPP, AIA). */
const keyed = (tx: Transaction) => (tx.consignee?.id ?? tx.consignee?.name ?? '').trim() !== '';

let batchModule: typeof import('../../screen/evaluate.js') | undefined;

/**
 * Evaluate as `aidr check` does, with a Batch: a batch added up per consignee in order (LPP, AIA),
 * on top of the view the request gave (`fixed`) or of the stored ledger (`store`).
 */
async function evaluateBatch(p: Parsed, ctx: ApiContext, ledger: LedgerSnapshot, from: 'store' | 'fixed'): Promise<Determination[]> {
  // Loaded on first use (it brings the ledger's commit code), then at hand: an `await import` per request costs more than it looks.
  const { Batch, ledgerNeeds, NO_LEDGER } = batchModule ?? (batchModule = await import('../../screen/evaluate.js'));
  const options = { ...p.options };
  delete options.ledger;
  let source = NO_LEDGER;
  if (from === 'store') {
    source = await ledger.current();
    const accounts: string[] = [];
    const countries: NonNullable<ReturnType<typeof ledgerNeeds>['country']>[] = [];
    for (const tx of p.transactions) {
      const n = ledgerNeeds(tx, options);
      accounts.push(...n.accounts);
      if (n.country) countries.push(n.country);
    }
    await source.prefetch(accounts, countries);
  }
  const batch = new Batch(source, options, from === 'fixed' ? p.options.ledger : undefined);
  return p.transactions.map((tx, i) => {
    try {
      const d = batch.evaluate(tx).determination;
      ctx.metrics.countOutcome(d.outcome);
      return d;
    } catch (e) {
      if (e instanceof InputError) throw toProblem(e, p.batch ? `${p.prefix}[${i}]` : p.prefix);
      throw e;
    }
  });
}

/**
 * Evaluate each transaction. With `probe`, each is evaluated against a ledger view that holds no
 * figures (ledger-probe.ts); if any of them reads the ledger the result is undefined and the caller
 * evaluates with the stored ledger instead. Outcomes are counted only for answers returned.
 */
function evaluateAll(p: Parsed, ctx: ApiContext, probe = false): Determination[] | undefined {
  const out: Determination[] = new Array(p.transactions.length);
  for (let i = 0; i < p.transactions.length; i++) {
    const watch = probe ? ledgerProbe() : undefined;
    try {
      out[i] = determine(p.transactions[i]!, watch ? { ...p.options, ledger: watch.view } : p.options);
    } catch (e) {
      if (e instanceof InputError) throw toProblem(e, p.batch ? `${p.prefix}[${i}]` : p.prefix);
      throw e;
    }
    if (watch?.wasRead()) return undefined;
  }
  for (const d of out) ctx.metrics.countOutcome(d.outcome);
  return out;
}

/**
 * The parties register fills the absent facts of a consignee or end user named by id, as
 * `aidr check` and `aidr screen` do (src/parties/fill.ts): `p.transactions` are replaced by the
 * filled ones; the notes of each say what was filled. The store is read only when a party has an
 * id, an ultimate parent id or a name (a party named only by its name is looked up by it).
 */
async function fillParties(p: Parsed, ctx: ApiContext): Promise<string[][]> {
  if (!p.transactions.some((t) => namesAParty(t.consignee) || namesAParty(t.endUser))) return [];
  const lookup = await registerLookup(ctx.store);
  return p.transactions.map((t, i) => {
    const f = fillTransaction(t, lookup);
    p.transactions[i] = f.tx;
    return f.notes;
  });
}

let commitModules: [typeof import('../../ledger/commit.js'), typeof import('../../ledger/recorded-text.js')] | undefined;

/**
 * A committed item's JSON: the determination as the text it was recorded as (the same bytes
 * `JSON.stringify` would give, without serialising ~20 KB again), then the commit.
 */
function commitItemJson(determination: Determination, commit: object, recorded: string | undefined): string {
  return recorded === undefined ? JSON.stringify({ determination, commit }) : `{"determination":${recorded},"commit":${JSON.stringify(commit)}}`;
}

async function commitAll(request: FastifyRequest, p: Parsed, ctx: ApiContext, notes: string[][]): Promise<{ status: number; body: string; location?: string }> {
  // Loaded on first use (an evaluate-only server never needs them), then at hand.
  const [{ commitTransaction, preflightCommits }, { recordedText }] = commitModules ?? (commitModules = await Promise.all([
    import('../../ledger/commit.js'), import('../../ledger/recorded-text.js'),
  ]));
  // What is recorded is bounded: each committed transaction is kept in the audit log with the
  // determination made of it (docs/http.md, "Limits").
  const limit = ctx.limits.maxRecordedInputBytes;
  p.transactions.forEach((tx, i) => {
    const size = Buffer.byteLength(canonicalJson(tx));
    if (size > limit) {
      const path = p.batch ? `${p.prefix}[${i}]` : p.prefix;
      throw new ApiProblem('too-large', `${path}: ${size} bytes of JSON; a committed transaction is recorded up to ${limit}`, [{ path, message: `too large to record (at most ${limit} bytes)` }], { maxRecordedInputBytes: limit });
    }
  });
  // A batch that would stop partway (a shipment whose ledger account cannot be keyed) is refused
  // whole, before anything is written, as `aidr check --commit` does. (One transaction needs no
  // such pass: its commit makes the same checks before it writes anything.)
  if (p.batch) {
    try {
      preflightCommits(p.transactions, p.options, p.exception);
    } catch (e) {
      throw toProblem(e, p.prefix);
    }
  }
  const actor = request.principal.keyId;
  const items: string[] = [];
  let status = 200;
  let location: string | undefined;
  for (let i = 0; i < p.transactions.length; i++) {
    const tx = p.transactions[i]!;
    const key = p.idempotencyKey === undefined ? undefined : p.batch ? `${p.idempotencyKey}#${i}` : p.idempotencyKey;
    try {
      const r = await commitTransaction(ctx.store, tx, p.options, { actor, maxRecordedInput: limit, ...(notes[i]?.length ? { registerNotes: notes[i] } : {}), ...(key ? { idempotencyKey: key } : {}), ...(p.exception ? { exception: p.exception } : {}) });
      const { determination, ...commit } = r;
      ctx.metrics.commits.inc({ result: r.replayed ? 'replayed' : 'recorded' });
      if (!r.replayed) ctx.metrics.countOutcome(determination.outcome);
      items.push(commitItemJson(determination, commit, recordedText(determination)));
      if (!p.batch) {
        status = r.replayed ? 200 : 201;
        location = `/v1/determinations/${r.auditId}`;
      }
    } catch (e) {
      const problem = toProblem(e, p.batch ? `${p.prefix}[${i}]` : p.prefix);
      if (problem.slug === 'cap-exceeded') ctx.metrics.capExceeded.inc();
      if (problem.status < 500) ctx.metrics.commits.inc({ result: 'refused' });
      // One transaction: its refusal is the answer. A batch: earlier items stay committed, so the
      // refusal is reported in its place and the rest go on (as `aidr check --commit` does).
      if (!p.batch || problem.status >= 500) throw problem.status >= 500 ? e : problem;
      const instance = request.url.split('?', 1)[0]!;
      items.push(JSON.stringify({ ...(tx.id ? { id: tx.id } : {}), error: problemBody(problem.slug, problem.message, instance, problem.errors, problem.extra) }));
    }
  }
  return { status, body: p.batch ? `[${items.join(',')}]` : items[0]!, ...(location ? { location } : {}) };
}

export function registerDeterminationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // The stored ledger's figures, kept between evaluations while the store has not changed.
  const ledger = new LedgerSnapshot(ctx.store);
  app.post('/v1/determinations', {
    config: { role: 'analyst' },
    schema: {
      tags: ['determinations'],
      summary: 'Determine what the rule requires (evaluate), or commit: draw on the ledger and record in the audit log',
      description: 'Roles: analyst to evaluate, officer to commit. Evaluate answers 200 with a Determination (or an array). '
        + 'Commit answers 201 with { determination, commit } (200 when replayed under the same idempotency key; Location names the audit record); '
        + 'a batch commit answers 200 with one item per transaction, a refused one as { id, error: Problem } in its place.',
      querystring: RegimeQuery,
      body: DeterminationBody,
      response: { 200: DeterminationResponse, 201: DeterminationResponse, 400: Problem, 401: Problem, 403: Problem, 409: Problem, 413: Problem, 415: Problem, 422: Problem, 429: Problem },
    },
  }, async (request, reply) => {
    if (asksCommit(request.body)) requireRole(request, 'officer', 'commit');
    const p = parseBody(request.body, ctx.limits.maxBatch);
    p.options = withQueryRegime(request.query, p.options);
    if (p.commit) {
      for (let i = 0; i < p.transactions.length; i++) {
        const at = unstorablePath(p.transactions[i], p.batch ? `${p.prefix}[${i}]` : p.prefix);
        if (at) throw new ApiProblem('validation', `${at}: ${UNSTORABLE_MESSAGE}`, [{ path: at, message: UNSTORABLE_MESSAGE }]);
      }
    }
    const notes = await fillParties(p, ctx);
    if (!p.commit) {
      // A view given in the request: a batch is added up on top of it, as `aidr check --ledger` does.
      // Otherwise the stored ledger, read as `aidr check` reads it. A named consignee is read at
      // once: its answers usually read a figure (an AIA total, LPP's room), and evaluating first to
      // find out would double the work. Without one only a country's licensed TPP can matter, so the
      // store is read only when an answer asks for it (ledger-probe.ts).
      const given = p.options.ledger !== undefined;
      const plain = given ? (p.batch ? undefined : evaluateAll(p, ctx)) : p.transactions.some(keyed) ? undefined : (await endOfTurn(), evaluateAll(p, ctx, true));
      const results = (plain ?? await evaluateBatch(p, ctx, ledger, given ? 'fixed' : 'store')).map((d, i) => withRegisterNotes(d, notes[i]));
      // Which ledger the answer read (none: the request gave its view, or no answer needed it).
      if (!plain && !given) reply.header('x-aidr-ledger', ctx.store.dialect);
      return sendJson(reply, 200, p.batch ? results : results[0]);
    }
    const r = await commitAll(request, p, ctx, notes);
    if (r.location) reply.header('location', r.location);
    return sendJsonText(reply, r.status, r.body);
  });

  app.post('/v1/classifications', {
    config: { role: 'analyst' },
    schema: {
      tags: ['determinations'],
      summary: 'Classify an item (3A090, 4A090, 4E091): the classification part of a determination; it does not depend on the destination',
      body: ClassificationRequest,
      response: { 200: ClassificationResponse, 400: Problem, 401: Problem, 403: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    if (request.body === undefined || request.body === null) throw new ApiProblem('malformed-request', 'send a JSON body: { "item": … }');
    const c = parsePart(ClassificationRequest, request.body, 'body');
    const options: EvalOptions = { sensitivity: false, explain: c.options?.explain !== false };
    if (c.options?.asOf) options.asOf = c.options.asOf;
    if (c.options?.interpretations) {
      try {
        readingsFrom(c.options.interpretations);
      } catch (e) {
        throw toProblem(e, 'body.options');
      }
      options.interpretations = c.options.interpretations;
    }
    // The destination plays no part in classification (part 774); a transfer within the U.S. is
    // the neutral frame the engine needs to run.
    const tx: Transaction = { item: c.item, activity: 'transfer', from: 'US', to: 'US', ...(c.quantity ? { quantity: c.quantity } : {}), ...(c.date ? { date: c.date } : {}) };
    let d: Determination;
    try {
      d = determine(tx, options);
    } catch (e) {
      if (e instanceof InputError) throw toProblem(e, 'body');
      throw e;
    }
    const missingFacts = d.missingFacts.filter((m) => m.path.startsWith('item') || m.path.startsWith('quantity'));
    return sendJson(reply, 200, { ...(c.id ? { id: c.id } : {}), ruleset: d.ruleset, classification: d.classification, missingFacts, warnings: d.warnings });
  });
}

