/**
 * The ledger and records API (for the CLI and the HTTP service). Load it lazily: it pulls in the
 * database drivers.
 *
 *   const store = await openStore();                       // DATABASE_URL → PostgreSQL, else SQLite in AIDR_DATA_DIR
 *   const r = await commitTransaction(store, tx, { asOf }, { actor: 'alice', idempotencyKey: 'PO-1' });
 *   const v = await verifyAudit(store);
 *   await store.close();
 */
export { openStore, transaction, type Store, type StoreOptions, type Dialect } from '../store/open.js';
export { appendAudit, auditCheckpoint, auditRecords, exportLine, getAudit, requireSigner, verifyAudit, type AuditCheckpoint, type AuditRecord, type AuditVerifyReport } from '../store/audit.js';
export { accountId, capFor, parseAccountId, ACCOUNT_KINDS, type AccountRef, type AccountKind } from './accounts.js';
export { fromMilli, toMilli, tpp } from './amount.js';
export { CapExceededError, IdempotencyConflictError, LedgerError } from './errors.js';
export { checkActor, checkKey, storable, type Actor } from './request.js';
export { ensureAccount, getAccount, history, listAccounts, type AccountState, type MovementResult, type MovementRow } from './balances.js';
export { verifyLedger, type LedgerVerifyReport } from './verify.js';
export { changeBalance, move, recordMovement, type Move } from './move.js';
export { once } from './once.js';
export { commitReservation, expireReservations, releaseReservation, reserve, DEFAULT_TTL_SECONDS, type ReservationResult, type ReserveRequest } from './reserve.js';
export { draw, type DrawRequest } from './draw.js';
export { recordFact, retire, type RecordRequest } from './record.js';
export { importEntries, type ImportEntry, type ImportResult } from './import.js';
export { transfer, type TransferRequest, type TransferResult } from './transfer.js';
export { capOn, grantedIncrease, recordIncrease, type IncreaseRequest, type IncreaseResult } from './allocation.js';
export { latestPublished, recordPublished, type PublishedRequest } from './published.js';
export { buildLedgerView, countryLicensed, ledgerKeys } from './view.js';
export { chooseException, commitTransaction, EXCEPTION_PREFERENCE, type CommitOptions, type CommitResult } from './commit.js';
export { replayAudit, type ReplayResult } from './replay.js';
