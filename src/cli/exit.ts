/**
 * The exit codes of every `aidr` command, one meaning each (documented in the README):
 * a script can tell bad input from a refusal by a cap from a failed verification.
 */
export const EXIT = {
  /** Everything asked was done (every row evaluated, every check passed). */
  ok: 0,
  /** An internal failure: a bug, the database unreachable, a file that cannot be written. */
  internal: 1,
  /** Unusable input or usage: a bad flag, a file that is not what it should be, an invalid transaction. */
  badInput: 2,
  /** A batch ran to its end but some rows were invalid (each reported on its row). */
  someRowsInvalid: 3,
  /** Refused by a cap or limit (LPP cap, allocation, VEU limits): nothing was drawn. */
  refused: 4,
  /** A verification failed: the audit chain, a signature, a checkpoint or a ledger balance. */
  verificationFailed: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
