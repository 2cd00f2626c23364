/**
 * Request and response schemas of the HTTP API, in zod. Requests are validated with these (once,
 * in the handler, so that every error names its field path); responses are documented with them
 * in the OpenAPI document but serialized with plain JSON.stringify: re-validating a large
 * determination on its way out would cost more than making it.
 */
import { z } from 'zod';
import { Determination, ExceptionCode, Outcome, Step } from '../contract/determination.js';
import { EvalOptionsSchema } from '../contract/options.js';
import { ExactNumber, IsoDate, Item, Transaction } from '../contract/transaction.js';
import { VeuCheckInput } from '../law/part748/veu-check.js';
import { unstorable, UNSTORABLE_MESSAGE } from '../store/canonical.js';
import { AuditCheckpointSchema } from '../store/audit-verify.js';
import { ROLES } from './keys.js';

export { UNSTORABLE_MESSAGE };

// ---- shared -----------------------------------------------------------------------------------------
/** A string that reaches the database: PostgreSQL text refuses U+0000, so it is refused here, as bad input. */
export const StoredText = (max: number) => z.string().max(max).refine((s) => !unstorable(s), UNSTORABLE_MESSAGE);

export const FieldError = z.object({ path: z.string(), message: z.string() });

export const Problem = z.object({
  type: z.string().describe('urn:aidr:problem:<slug>; see docs/http.md'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().describe('the request path'),
  errors: z.array(FieldError).optional().describe('every offending field, by its path in the request (body.…, query.…, params.…)'),
}).catchall(z.unknown()).describe('RFC 9457 problem details');

// ---- determinations ----------------------------------------------------------------------------------

export const DeterminationOptions = EvalOptionsSchema.describe(
  'asOf overrides each transaction\'s date; interpretations chooses readings (see GET /v1/ruleset); ledger is a ledger view (evaluate only); explain: false gives the lean output',
);

/** The envelope, validated field by field; the transactions are validated one by one with `Transaction` (paths name their index). */
export const DeterminationEnvelope = z.strictObject({
  transaction: z.unknown().optional(),
  transactions: z.array(z.unknown()).optional(),
  options: DeterminationOptions.optional(),
  commit: z.boolean().optional(),
  idempotencyKey: StoredText(200).min(1).optional(),
  exception: ExceptionCode.optional(),
});

export const DeterminationRequest = z.strictObject({
  transaction: Transaction.optional().describe('one transaction (give this or transactions)'),
  transactions: z.array(Transaction).min(1).optional().describe('several transactions, answered in the same order'),
  options: DeterminationOptions.optional(),
  commit: z.boolean().optional().describe('record it: draw on the ledger and append the audit log in one database transaction (role officer); actor = the API key id'),
  idempotencyKey: z.string().min(1).max(200).optional().describe('with commit: at most once for this key (a batch uses KEY#index)'),
  exception: ExceptionCode.optional().describe('with commit: the license exception to use; default the first eligible, capped ones last'),
}).describe('The envelope: exactly one of transaction / transactions');

export const DeterminationBody = z.union([Transaction, z.array(Transaction).min(1), DeterminationRequest]).describe(
  'A bare Transaction (as `aidr check` reads), an array of them, or the envelope with options and commit',
);

export const CommitMovement = z.object({
  account: z.string(), kind: z.enum(['draw', 'track']), amountTpp: z.string(), usedTpp: z.string(), capTpp: z.string().nullable(), leftTpp: z.string().nullable(),
});

export const CommitRecord = z.object({
  auditId: z.string(),
  seq: z.number().int(),
  hash: z.string(),
  at: z.string(),
  actor: z.string(),
  exception: ExceptionCode.nullable(),
  movements: z.array(CommitMovement),
  notices: z.array(z.string()),
  warnings: z.array(z.string()),
  replayed: z.boolean(),
});

export const CommitResponse = z.object({ determination: Determination, commit: CommitRecord });
export const BatchCommitItem = z.union([CommitResponse, z.object({ id: z.string().optional(), error: Problem })]);

export const DeterminationResponse = z.union([Determination, z.array(Determination), CommitResponse, z.array(BatchCommitItem)]);

// ---- classifications ---------------------------------------------------------------------------------

export const ClassificationRequest = z.strictObject({
  id: z.string().max(200).optional(),
  item: Item,
  quantity: z.number().int().positive().max(10_000_000).optional(),
  date: IsoDate.optional(),
  options: z.strictObject({
    asOf: IsoDate.optional(),
    interpretations: EvalOptionsSchema.shape.interpretations,
    explain: z.boolean().optional(),
  }).optional(),
});

export const ClassificationResponse = z.object({
  id: z.string().optional(),
  ruleset: Determination.shape.ruleset,
  classification: Determination.shape.classification,
  missingFacts: Determination.shape.missingFacts,
  warnings: z.array(z.string()),
});

// ---- audit log -----------------------------------------------------------------------------------------

/**
 * A date (YYYY-MM-DD, the start of that UTC day) or an ISO 8601 date-time, normalised to the UTC
 * form the audit log stores (`2025-06-02T14:00:00.000Z`), so that comparing the text compares the
 * instants whatever offset the caller wrote.
 */
const Instant = z.string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'expected a date (YYYY-MM-DD) or an ISO 8601 date-time')
  .transform((s, ctx) => {
    const d = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
    // Date rolls 2025-02-30 over to March; the calendar date must exist as written.
    const day = new Date(`${s.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== s.slice(0, 10)) {
      ctx.addIssue({ code: 'custom', message: 'not a real date or time' });
      return z.NEVER;
    }
    return d.toISOString();
  });

export const AuditListQuery = z.strictObject({
  since: Instant.optional().describe('records at or after this instant'),
  until: Instant.optional().describe('records before this instant (exclusive)'),
  outcome: Outcome.optional(),
  actor: StoredText(200).min(1).optional().describe('an API key id (or "local")'),
  kind: StoredText(50).min(1).optional(),
  limit: z.coerce.number().int().min(1).optional(),
  cursor: z.string().max(100).optional().describe('nextCursor of the previous page'),
});

export const AuditSummary = z.object({
  seq: z.number().int(), id: z.string(), at: z.string(), actor: z.string(), kind: z.string(),
  transactionId: z.string().nullable(), outcome: z.string().nullable(), exception: z.string().nullable(), rulesetVersion: z.string(), hash: z.string(),
});
export const AuditPage = z.object({ items: z.array(AuditSummary), nextCursor: z.string().nullable() });

export const AuditRecordResponse = z.object({
  seq: z.number().int(), id: z.string(), at: z.string(), actor: z.string(), kind: z.string(), rulesetVersion: z.string(),
  input: z.unknown(), options: z.unknown(), output: z.unknown(), effects: z.unknown(), prevHash: z.string(), hash: z.string(),
});

export const IdParams = z.strictObject({ id: StoredText(500).min(1) });

export const VerifyRequest = z.strictObject({
  anchor: z.strictObject({ seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest') }).optional(),
  checkpoint: AuditCheckpointSchema.optional().describe('a checkpoint written by `aidr audit checkpoint`: its signature must verify and the log must contain its head (records cut off the end are found)'),
});

export const VerifyReport = z.object({
  ok: z.boolean(),
  records: z.number().int(),
  head: z.object({ seq: z.number().int(), hash: z.string() }),
  problem: z.object({
    kind: z.enum(['altered', 'deleted', 'reordered', 'head', 'unsigned', 'forged', 'truncated', 'checkpoint', 'no-key']), seq: z.number().int(), id: z.string().optional(), message: z.string(),
  }).optional(),
  anchor: z.object({ seq: z.number().int(), hash: z.string(), ok: z.boolean() }).optional(),
  signatures: z.object({
    keyId: z.string().nullable(), since: z.number().int().nullable().describe('the first record the key signs'), signed: z.number().int(),
    checked: z.enum(['last', 'all', 'none']).describe('last: the last record\'s signature, which vouches for the chain before it'), ok: z.boolean(),
  }),
  checkpoint: z.object({ seq: z.number().int(), hash: z.string(), ok: z.boolean() }).optional(),
});

// ---- ledger ----------------------------------------------------------------------------------------------

export const AccountState = z.object({
  id: z.string(), kind: z.string(), key: z.string(), period: z.string(),
  capTpp: z.string().nullable(), usedTpp: z.string(), reservedTpp: z.string(), leftTpp: z.string().nullable(),
  countryLicensedTpp: z.string().optional().describe('country allocations with BIS\'s published figure recorded: TPP licensed to the country as determinations count it'),
  countryLeftTpp: z.string().optional().describe('what that leaves of the allocation'),
  capAsOf: z.string().optional().describe('NVEU and country allocation accounts: the date whose cap capTpp is (the query\'s date, default today)'),
  capNote: z.string().optional().describe('which figure that is (e.g. "2025Q3 limit of … Table 1", an increase BIS granted), or why there is none'),
});

export const AccountsQuery = z.strictObject({ kind: StoredText(50).min(1).optional(), key: StoredText(500).min(1).optional(), date: IsoDate.optional().describe('the date whose caps to show (an NVEU\'s Table 1 quarter; default today)') });
export const MovementsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  after: z.string().regex(/^\d{1,18}$/, 'a movement seq (digits)').optional().describe('continue after this movement seq (the last one of the previous page)'),
});

export const Movement = z.object({
  seq: z.string(), accountId: z.string().optional(), kind: z.string(), onDate: z.string(), at: z.string().optional(),
  usedDeltaTpp: z.string(), reservedDeltaTpp: z.string(), actor: z.string(),
}).catchall(z.unknown());

export const ReserveRequest = z.strictObject({
  account: StoredText(500).min(1).describe('an account id, e.g. lpp:2025:ultimate_parent:ACME (docs/ledger.md)'),
  tpp: ExactNumber.describe('amount in TPP (exact decimal)'),
  date: IsoDate.optional().describe('business date; decides date-dependent caps (default today)'),
  ttlSeconds: z.number().int().positive().max(366 * 24 * 3600).optional(),
  idempotencyKey: StoredText(200).min(1).optional(),
  ref: StoredText(500).optional(),
});

export const TransferRequest = z.strictObject({
  from: StoredText(500).min(1).describe('the account the chips leave, e.g. uveu:ACME:US or nveu:ACME:BR'),
  to: StoredText(500).min(1).describe('the account they join, e.g. uveu:ACME:MY'),
  tpp: ExactNumber.describe('installed TPP moved (exact decimal)'),
  date: IsoDate.optional().describe('business date (default today); decides the caps that apply'),
  idempotencyKey: StoredText(200).min(1).optional(),
  ref: StoredText(500).optional(),
  headquarters: StoredText(2).optional().describe('UVEU: where it is headquartered, when none is recorded yet'),
  ultimateParentHeadquarters: StoredText(2).optional(),
  interpretations: z.record(z.string(), z.string()).optional(),
});

export const TransferResult = z.object({
  from: z.string(), to: z.string(), amountTpp: z.string(), onDate: z.string(), replayed: z.boolean(),
  balances: z.object({ from: AccountState, to: AccountState }),
  uveu: z.unknown().optional().describe('UVEU: the Supp. 10 para. 6 check of the group after the transfer'),
  notices: z.array(z.string()).describe('what must be done because of it (a UVEU notifies BIS 60 days before moving chips between countries)'),
  warnings: z.array(z.string()),
});

export const SettleRequest = z.strictObject({ reservationId: StoredText(100).min(1) });

export const ReservationResult = z.object({
  reservationId: z.string(), account: z.string(), state: z.enum(['reserved', 'committed', 'released', 'expired']),
  amountTpp: z.string(), onDate: z.string(), expiresAt: z.string(), replayed: z.boolean(), balance: AccountState,
});

// ---- VEU -----------------------------------------------------------------------------------------------------

export const VeuRequest = VeuCheckInput;
export const VeuResult = z.object({
  date: z.string(), eligibility: z.unknown().optional(), uveu: z.unknown().optional(), nveu: z.unknown().optional(),
});

// ---- keys ---------------------------------------------------------------------------------------------------

export const KeyCreateRequest = z.strictObject({ role: z.enum(ROLES), name: StoredText(200).optional() });
export const KeyInfo = z.object({
  id: z.string(), name: z.string(), role: z.enum(ROLES), createdAt: z.string(), createdBy: z.string(),
  revokedAt: z.string().nullable(), revokedBy: z.string().nullable(),
});
export const KeyCreated = KeyInfo.extend({ token: z.string().describe('shown once; store it now') });

// ---- metadata ------------------------------------------------------------------------------------------------

export const Chip = z.object({
  id: z.string(), name: z.string(), tpp: z.number(), tppFrom: z.string(), dieAreaMm2: z.number().nullable(),
  performanceDensity: z.number().nullable(), datacenter: z.boolean(), eccn: z.string(),
});

export const RulesetInfo = z.object({
  id: z.string(), title: z.string(), citation: z.string(), version: z.string(), today: z.string(),
  inForce: z.boolean(), complianceRequired: z.boolean(), status: z.string(),
  statusHistory: z.array(z.object({ from: z.string(), text: z.string() })),
  dates: z.record(z.string(), z.object({ date: z.string(), source: z.string() })),
  interpretations: z.array(z.object({
    id: z.string(), question: z.string(), citation: z.string(), default: z.string(),
    readings: z.array(z.object({ id: z.string(), label: z.string() })),
  })),
});

export const Health = z.object({ status: z.literal('ok'), store: z.string().optional() });

/** Named components of the OpenAPI document (the rest is inlined). */
export const COMPONENTS: [z.ZodType, string][] = [
  [Transaction, 'Transaction'],
  [Determination, 'Determination'],
  // Recursive (a step's children are steps): named, so that its self-reference resolves in components.
  [Step, 'Step'],
  [DeterminationRequest, 'DeterminationRequest'],
  [CommitResponse, 'CommitResponse'],
  [Problem, 'Problem'],
  [AccountState, 'AccountState'],
  [ReservationResult, 'ReservationResult'],
  [AuditSummary, 'AuditSummary'],
  [KeyInfo, 'ApiKey'],
];
