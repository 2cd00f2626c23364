/**
 * A review policy finding (742.6(b), 744.23(d), 91 FR 1684) as the engine keeps it, and its one
 * constructor: every Policy has the same fields in the same order, so the code that reads them
 * (the merge, the regime answers) sees one object shape instead of one per law module.
 */
import type { ReviewPolicy, Step } from '../../contract/determination.js';
import type { Decimal } from '../../compute/exact.js';
import type { Missing } from '../../engine/logic.js';

export interface Allocation { country: string; cap: Decimal; licensedTpp?: Decimal; remaining?: Decimal; draws: boolean }

export interface Policy {
  policy: ReviewPolicy | null;
  missing: Missing[];
  steps: Step[];
  citation?: string;
  allocation?: Allocation;
}

export function policyOf(policy: ReviewPolicy | null, missing: Missing[], steps: Step[], citation?: string, allocation?: Allocation): Policy {
  return { policy, missing, steps, citation, allocation };
}
