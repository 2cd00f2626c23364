/**
 * The audit log as a library (`aidr/audit`): verify the hash chain, read and export records,
 * replay one record or all of them against today's ruleset.
 *
 *   import { openStore } from 'aidr/ledger';
 *   import { verifyAudit, replayAll } from 'aidr/audit';
 */
export { appendAudit, auditRecords, exportLine, getAudit, verifyAudit, EXPORT_COLUMNS, type AuditRecord, type AuditVerifyReport } from '../store/audit.js';
export { replayAudit, type ReplayResult } from '../ledger/replay.js';
export { replayAll } from '../screen/replay-all.js';
