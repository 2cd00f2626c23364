/**
 * aidr as a library.
 *
 *   import { check } from 'aidr';
 *   const d = check({ to: 'DE', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity: 8 });
 */
import type { Determination } from './contract/determination.js';
import { parseTransaction } from './contract/parse.js';
import type { EvalOptions } from './engine/context.js';
import { determine } from './engine/determine.js';

export { determine, today } from './engine/determine.js';
export { parseTransaction, parseTransactions } from './contract/parse.js';
export { InputError, type EvalOptions, type LedgerView } from './engine/context.js';
export { Transaction, type TransactionInput } from './contract/transaction.js';
export { Determination } from './contract/determination.js';
export { rulesetVersion } from './engine/version.js';
export { allChips, chip } from './data/chips.js';
export { whatIf, applyChanges, type WhatIf, type FactChange, type ExceptionWhatIf, type ThresholdDistance, type MissingFactWhatIf, type Blocker } from './engine/what-if.js';

/** Validate unknown input (throws InputError naming the field) and determine. */
export function check(input: unknown, opts: EvalOptions = {}): Determination {
  return determine(parseTransaction(input), opts);
}
