/**
 * One normalization of party ids and ledger account keys, used everywhere a party or an ultimate
 * consignee is named (order lines, `parties import`, the ledger's LPP and AIA accounts):
 * Unicode NFKC (compatibility forms: fullwidth `ＡＣＭＥ` is `ACME`, the ligature `ﬁ` is `fi`),
 * invisible format characters removed (Default_Ignorable_Code_Point: zero-width spaces, soft
 * hyphens, direction marks, which spreadsheets and PDFs paste into ids), surrounding whitespace
 * removed, inner runs of whitespace as one space, case folded. `ACME-BR`, `acme-br`, `ACME-BR `,
 * `ＡＣＭＥ-BR` and `ACME\u200b-BR` are one customer, so they are one LPP account with one cap
 * (NFKC and the invisible characters since migration 010; red team, 2026-12-06).
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/** The canonical form of a party id or an account's entity key. */
export function normalizeKey(s: string): string {
  return s.normalize('NFKC').replace(INVISIBLE, '').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/** The same, and undefined for a value that names nobody (absent, or only whitespace). */
export function keyOrUndefined(s: string | undefined | null): string | undefined {
  if (s === undefined || s === null) return undefined;
  const k = normalizeKey(s);
  return k === '' ? undefined : k;
}
