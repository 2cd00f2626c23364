/**
 * What every ledger operation checks before it touches the store: who acts, on which date, with
 * which idempotency key, on which account; each refusal an `InputError` naming the field.
 */
import { InputError, readingsFrom } from '../engine/context.js';
import { today } from '../engine/determine.js';
import { UNSTORABLE_MESSAGE, unstorablePath } from '../store/canonical.js';
import { parseAccountId, type AccountRef } from './accounts.js';

/** Who does it and when (now is injectable for tests of expiry). */
export interface Actor {
  actor: string;
  now?: Date;
}

export const iso = (d: Date | undefined): string => (d ?? new Date()).toISOString();

export function checkDate(date: string | undefined, path = 'date'): string {
  if (date === undefined) return today();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
    throw new InputError(path, 'expected a date as YYYY-MM-DD');
  }
  return date;
}

/** Who acts: 1 to 200 characters the store can keep. */
export function checkActor(actor: string): string {
  if (typeof actor !== 'string' || actor.trim() === '' || actor.length > 200) throw new InputError('actor', 'name who acts (1 to 200 characters)');
  storable(actor, 'actor');
  return actor;
}

/** An idempotency key, when given: 1 to 200 characters the store can keep. */
export function checkKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) throw new InputError('idempotencyKey', 'expected 1 to 200 characters');
  storable(key, 'idempotencyKey');
  return key;
}

/** Refuse, naming the field, a value with a string the store cannot keep (NUL, unpaired surrogates). */
export function storable(value: unknown, field: string): void {
  const at = unstorablePath(value, field);
  if (at) throw new InputError(at, UNSTORABLE_MESSAGE);
}

/** Interpretation readings for a ledger operation: unknown ids or readings are refused, naming `interpretations.ID`. */
export function checkReadings(readings: Record<string, string> | undefined): Readonly<Record<string, string>> {
  readingsFrom(readings);
  return readings ?? {};
}

export function refOf(a: AccountRef | string): AccountRef {
  storable(a, 'account');
  return typeof a === 'string' ? parseAccountId(a) : a;
}
