/** Reading and setting a field of a transaction by its path (as missingFacts and what-if name them). */
const SEGMENT = /([^.[\]]+)|\[(\d+)\]/g;
const segments = (path: string) => [...path.matchAll(SEGMENT)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));

export function getPath(o: unknown, path: string): unknown {
  let v = o;
  for (const s of segments(path)) v = v === undefined || v === null ? undefined : (v as Record<string | number, unknown>)[s];
  return v;
}

/** A copy with the field set (undefined removes it); objects on the way are created. */
export function setPath<T>(o: T, path: string, value: unknown): T {
  const segs = segments(path);
  const root = structuredClone(o) as Record<string | number, unknown>;
  let cur = root;
  for (const s of segs.slice(0, -1)) {
    if (cur[s] === undefined || cur[s] === null || typeof cur[s] !== 'object') cur[s] = {};
    cur = cur[s] as Record<string | number, unknown>;
  }
  const last = segs[segs.length - 1]!;
  if (value === undefined || value === '') delete cur[last];
  else cur[last] = value;
  return root as T;
}
