/**
 * The database tables, as Kysely types. One schema for both back ends: amounts are exact integers
 * of milli-TPP (BIGINT on PostgreSQL, INTEGER on SQLite); timestamps and dates are ISO-8601 text,
 * which sorts correctly on both. Integers come back as `bigint` (SQLite, safe integers) or as a
 * decimal string (PostgreSQL int8); `src/ledger/amount.ts` normalises them.
 */
import type { Generated } from 'kysely';

/** What a driver hands back for a BIGINT column. */
export type DbInt = bigint | string | number;

export interface AccountsTable {
  /** `kind:part:…` with each part URI-encoded (see src/ledger/accounts.ts). */
  id: string;
  kind: string;
  /** The account's subject for display: an entity, a country, a VEU and country. */
  key: string;
  /** The period the account covers ('2025' for LPP, '2025-01-01..2027-12-31' for a country allocation, '' when cumulative). */
  period: string;
  /** Cap in milli-TPP as last applied (null: uncapped). Date-dependent caps are passed per operation. */
  cap: DbInt | null;
  used: DbInt;
  reserved: DbInt;
  created_at: string;
}

export interface ReservationsTable {
  id: string;
  account_id: string;
  amount: DbInt;
  /** reserved → committed | released | expired; the only row kind that changes state. */
  state: string;
  idempotency_key: string | null;
  request_hash: string;
  /** The business date of the reservation (YYYY-MM-DD), e.g. the shipment date. */
  on_date: string;
  created_at: string;
  expires_at: string;
  actor: string;
}

export interface MovementsTable {
  seq: Generated<DbInt>;
  account_id: string;
  /** reserve | commit | release | expire | draw | track | record | import | retire */
  kind: string;
  reservation_id: string | null;
  used_delta: DbInt;
  reserved_delta: DbInt;
  on_date: string;
  at: string;
  actor: string;
  audit_id: string | null;
  ref: string | null;
  /** A random id (migration 007): unique, so a copied movement is a duplicate. */
  uid: string | null;
  /** HMAC of the movement under the store's signing key (migration 007; null before it). */
  mac: string | null;
  /** The hash of the audit record that caused the movement (commits), else null. */
  audit_hash: string | null;
}

export interface IdempotencyTable {
  key: string;
  scope: string;
  request_hash: string;
  result: string;
  created_at: string;
  /** The parameters the key was first used with, canonical JSON (migration 007): says what differs on a reuse. */
  request: string | null;
}

export interface PublishedTable {
  seq: Generated<DbInt>;
  country: string;
  tpp: DbInt;
  as_of: string;
  source: string;
  recorded_at: string;
  actor: string;
}

export interface AuditTable {
  seq: DbInt;
  id: string;
  at: string;
  actor: string;
  kind: string;
  input: string;
  options: string;
  output: string;
  ruleset_version: string;
  effects: string;
  prev_hash: string;
  hash: string;
  /** Ed25519 signature of `hash` (base64) by the key `key_id` (migration 007; null before the store had a key). */
  signature: string | null;
  key_id: string | null;
}

export interface AuditHeadTable {
  id: number;
  seq: DbInt;
  hash: string;
}

/** Migration 006: country allocation increases BIS granted (742.6(b)(10)(iii)(C)); append-only. */
export interface IncreasesTable {
  seq: Generated<DbInt>;
  country: string;
  tpp: DbInt;
  as_of: string;
  source: string;
  recorded_at: string;
  actor: string;
}

/** Where a UVEU is headquartered, fixed by its first installation (migration 005). */
export interface UveuProfilesTable {
  veu: string;
  headquarters: string;
  /** Migration 006; null when not given (or recorded before it). */
  ultimate_parent_headquarters: string | null;
  recorded_at: string;
  actor: string;
}

/** The parties register (migration 008): `id` is the normalized id (src/parties/key.ts). */
export interface PartiesTable {
  id: string;
  given_id: string;
  name: string | null;
  country: string | null;
  headquarters: string | null;
  ultimate_parent_headquarters: string | null;
  ultimate_parent_id: string | null;
  sector: string | null;
  /** JSON array of other ids and names order lines use for the party. */
  aliases: string;
  updated_at: string;
  actor: string;
}

/** `POST /v1/screenings` jobs (migration 008). */
export interface ScreeningJobsTable {
  id: string;
  state: string;
  actor: string;
  created_at: string;
  updated_at: string;
  input_format: string;
  options: string;
  input: Uint8Array;
  input_bytes: DbInt;
  rows_done: DbInt;
  rows_invalid: DbInt;
  last_line: DbInt;
  chunks: DbInt;
  summary: string | null;
  error: string | null;
  owner: string | null;
}

/** A job's results, a chunk of JSON lines at a time, in line order. */
export interface ScreeningChunksTable {
  job_id: string;
  chunk: DbInt;
  first_line: DbInt;
  last_line: DbInt;
  rows: string;
}

export interface Database {
  parties: PartiesTable;
  screening_jobs: ScreeningJobsTable;
  screening_chunks: ScreeningChunksTable;
  uveu_profiles: UveuProfilesTable;
  ledger_accounts: AccountsTable;
  ledger_reservations: ReservationsTable;
  ledger_movements: MovementsTable;
  ledger_idempotency: IdempotencyTable;
  allocation_published: PublishedTable;
  allocation_increases: IncreasesTable;
  audit_log: AuditTable;
  audit_head: AuditHeadTable;
}
