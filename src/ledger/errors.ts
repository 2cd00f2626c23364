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

/**
 * A key already used for another request. `usedFor`: the kind of operation it was used for, when
 * that is not this one; `differs`: the parameters that differ (TTL, ref, amount, the transaction…).
 */
export class IdempotencyConflictError extends LedgerError {
  constructor(readonly key: string, readonly detail: { usedFor?: string; asked?: string; differs?: string[] } = {}) {
    super('idempotency_conflict', `idempotency key "${key}" was already used for a different request${describeConflict(detail)}`);
  }
}

function describeConflict(d: { usedFor?: string; asked?: string; differs?: string[] }): string {
  if (d.usedFor && d.asked && d.usedFor !== d.asked) return `: it was used for a ${d.usedFor}, and this is a ${d.asked} (a key belongs to one kind of operation)`;
  if (d.differs?.length) return `: ${d.differs.join(', ')} ${d.differs.length > 1 ? 'differ' : 'differs'} (a retry must repeat the request exactly)`;
  return '';
}
