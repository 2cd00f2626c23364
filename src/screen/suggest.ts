/** Suggestions for a value that matched nothing: the known names closest to it by edit distance. */

/** Levenshtein distance, with an early exit once it exceeds `max`. */
export function distance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The distinct targets of the `keys` nearest to `value` (a key containing the value, or contained
 * in it, counts as near), at most `limit`, nearest first.
 */
export function nearest(value: string, keys: Iterable<[key: string, target: string]>, limit = 3): string[] {
  const scored: { target: string; d: number }[] = [];
  const max = Math.max(2, Math.floor(value.length / 3));
  for (const [key, target] of keys) {
    const contains = value.length >= 2 && (key.includes(value) || value.includes(key)) && key.length >= 2;
    const d = contains ? Math.abs(key.length - value.length) / 10 : distance(value, key, max);
    if (d <= max) scored.push({ target, d });
  }
  scored.sort((x, y) => x.d - y.d);
  const out: string[] = [];
  for (const s of scored) {
    if (!out.includes(s.target)) out.push(s.target);
    if (out.length >= limit) break;
  }
  return out;
}

/** "did you mean a, b or c?" */
export function didYouMean(options: readonly string[]): string {
  if (options.length === 0) return '';
  const list = options.length === 1 ? options[0]! : `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}`;
  return ` (did you mean ${list}?)`;
}
