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
 * Strings the store cannot keep as given: U+0000 (PostgreSQL text and jsonb refuse it) and unpaired
 * UTF-16 surrogates (not Unicode: UTF-8 has no encoding for them, so a driver would swap them for
 * U+FFFD and the record would no longer be what was decided, nor hash the same). Refused alike on
 * both back ends.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function unstorable(s: string): boolean {
  return UNSTORABLE.test(s);
}

/** The path of the first string in a value the store cannot keep (`base`, `base.a[2]`...), or undefined. */
export function unstorablePath(v: unknown, base: string, depth = 0): string | undefined {
  if (typeof v === 'string') return unstorable(v) ? base : undefined;
  if (v === null || typeof v !== 'object' || depth > 64) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = unstorablePath(v[i], `${base}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = unstorablePath(x, base ? `${base}.${k}` : k, depth + 1);
    if (p) return p;
  }
  return undefined;
}

export const UNSTORABLE_MESSAGE = 'must not contain NUL characters (U+0000) or unpaired UTF-16 surrogates: the store cannot keep them';
