/**
 * Three-valued logic. `true` and `false` are known answers; `undefined` is "unknown", and it flows
 * upward honestly: an "and" with one unknown and no false is unknown, never true.
 */
export type Tri = boolean | undefined;

export interface Missing { path: string; why: string }

/** A three-valued answer with the facts that would decide it when it is unknown. */
export interface Finding { value: Tri; missing: Missing[] }

export const NONE: readonly Missing[] = Object.freeze([]);

/** Known findings carry nothing else: two shared, frozen ones (findings are never modified). */
const KNOWN_TRUE: Finding = Object.freeze({ value: true, missing: NONE as Missing[] });
const KNOWN_FALSE: Finding = Object.freeze({ value: false, missing: NONE as Missing[] });

export function known(value: boolean): Finding {
  return value ? KNOWN_TRUE : KNOWN_FALSE;
}

export function or(...xs: Tri[]): Tri {
  let unknown = false;
  for (const x of xs) {
    if (x === true) return true;
    if (x === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

export function and(...xs: Tri[]): Tri {
  let unknown = false;
  for (const x of xs) {
    if (x === false) return false;
    if (x === undefined) unknown = true;
  }
  return unknown ? undefined : true;
}

export function not(x: Tri): Tri {
  return x === undefined ? undefined : !x;
}

/** Or over findings, keeping the missing facts only when the answer stays unknown. */
export function anyOf(...fs: Finding[]): Finding {
  let unknown = false;
  for (const f of fs) {
    if (f.value === true) return f.missing.length === 0 ? f : KNOWN_TRUE;
    if (f.value === undefined) unknown = true;
  }
  return unknown ? { value: undefined, missing: fs.flatMap((f) => f.missing) } : KNOWN_FALSE;
}

export function allOf(...fs: Finding[]): Finding {
  let unknown = false;
  for (const f of fs) {
    if (f.value === false) return f.missing.length === 0 ? f : KNOWN_FALSE;
    if (f.value === undefined) unknown = true;
  }
  return unknown ? { value: undefined, missing: fs.flatMap((f) => f.missing) } : KNOWN_TRUE;
}

export function negate(f: Finding): Finding {
  return f.value === undefined ? f : f.missing.length === 0 ? known(!f.value) : { value: !f.value, missing: f.missing };
}

export function yesNo(x: Tri): 'yes' | 'no' | 'unknown' {
  return x === undefined ? 'unknown' : x ? 'yes' : 'no';
}

export function metStatus(x: Tri): 'met' | 'not_met' | 'unknown' {
  return x === undefined ? 'unknown' : x ? 'met' : 'not_met';
}

/** Merge missing facts by path, keeping the first reason given for each. */
export function mergeMissing(lists: readonly (readonly Missing[])[]): Missing[] {
  // Most answers miss nothing: no map to build.
  if (lists.every((list) => list.length === 0)) return [];
  const byPath = new Map<string, Missing>();
  for (const list of lists) for (const m of list) if (!byPath.has(m.path)) byPath.set(m.path, m);
  return [...byPath.values()];
}
