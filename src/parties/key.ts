/**
 * One normalization of party ids and ledger account keys, used everywhere a party or an ultimate
 * consignee is named (order lines, `parties import`, the ledger's LPP and AIA accounts):
 * Unicode NFC, surrounding whitespace removed, inner runs of whitespace as one space, case folded.
 * `ACME-BR`, `acme-br` and `ACME-BR ` are one customer, so they are one LPP account with one cap.
 */

/** The canonical form of a party id or an account's entity key. */
export function normalizeKey(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/** The same, and undefined for a value that names nobody (absent, or only whitespace). */
export function keyOrUndefined(s: string | undefined | null): string | undefined {
  if (s === undefined || s === null) return undefined;
  const k = normalizeKey(s);
  return k === '' ? undefined : k;
}
