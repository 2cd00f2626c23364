/**
 * Ledger errors. They are refusals, not crashes: nothing was written when one is thrown. The CLI
 * exits 1 with the message; the HTTP service maps them to 409 (cap, conflict, state) or 404.
 */
export class LedgerError extends Error {
  constructor(readonly code: 'cap_exceeded' | 'idempotency_conflict' | 'reservation_state' | 'not_found' | 'not_eligible' | 'uveu_limit', message: string) {
    super(message);
    this.name = 'LedgerError';
  }
}

export class CapExceededError extends LedgerError {
  constructor(readonly account: string, readonly requestedTpp: string, readonly leftTpp: string, readonly capTpp: string, context?: string) {
    super('cap_exceeded', `cap exceeded on ${account}: requested ${requestedTpp} TPP, ${leftTpp} TPP left of ${capTpp}${context ? ` (${context})` : ''}`);
  }
}

export class IdempotencyConflictError extends LedgerError {
  constructor(readonly key: string) {
    super('idempotency_conflict', `idempotency key "${key}" was already used for a different request`);
  }
}
