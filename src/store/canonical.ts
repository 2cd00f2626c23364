/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` dropped. Two equal values always
 * serialise to the same bytes, so their hashes can be compared across machines and years.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortKeys(x)));
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  if (typeof v === 'bigint') return v.toString();
  return v;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The path of the first string holding U+0000 in a value (`base`, `base.a[2]`...), or undefined.
 * PostgreSQL text and jsonb cannot keep NUL, and SQLite would keep what PostgreSQL refuses: every
 * string bound for the store is checked here first, on both back ends alike.
 */
export function nulPath(v: unknown, base: string, depth = 0): string | undefined {
  if (typeof v === 'string') return v.includes('\u0000') ? base : undefined;
  if (v === null || typeof v !== 'object' || depth > 64) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = nulPath(v[i], `${base}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = nulPath(x, base ? `${base}.${k}` : k, depth + 1);
    if (p) return p;
  }
  return undefined;
}

export const NUL_MESSAGE = 'must not contain NUL characters (U+0000): the store cannot keep them';
