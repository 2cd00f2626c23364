/**
 * Three-valued conditions for the Data Center VEU rules, in the same shape as every other rule's
 * conditions (contract `Condition` plus the facts that would decide an unknown).
 */
import type { Condition } from '../../contract/determination.js';
import { metStatus, NONE, type Finding, type Missing, type Tri } from '../../engine/logic.js';

export interface VeuCondition extends Condition { missing: Missing[] }

export type VeuStatus = 'eligible' | 'not_eligible' | 'unknown';

export function condition(id: string, f: Finding | Tri, citation: string, detail: string): VeuCondition {
  const finding: Finding = typeof f === 'object' && f !== null ? f : { value: f, missing: NONE as Missing[] };
  return { id, status: metStatus(finding.value), citation, detail, missing: finding.value === undefined ? finding.missing : [] };
}

/** Not eligible if any condition is not met; unknown if any is unknown; eligible only if all are met. */
export function statusOf(conditions: readonly VeuCondition[]): VeuStatus {
  let unknown = false;
  for (const c of conditions) {
    if (c.status === 'not_met') return 'not_eligible';
    if (c.status === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : 'eligible';
}
