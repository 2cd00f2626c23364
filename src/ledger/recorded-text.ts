/**
 * The JSON text a committed determination was recorded as (the audit record's `output`), kept
 * beside the object so that an interface answering with it sends those bytes instead of
 * serialising ~20 KB again (`JSON.stringify` of the same object gives the same text: the record is
 * the determination as answered). Kept in a WeakMap so that CommitResult keeps its shape and the
 * text goes when the determination does.
 */
import type { Determination } from '../contract/determination.js';

const TEXT = new WeakMap<Determination, string>();

export function rememberRecordedText(d: Determination, text: string): Determination {
  TEXT.set(d, text);
  return d;
}

/** The text `d` was recorded as, when it came from a commit or a replay of one. */
export function recordedText(d: Determination): string | undefined {
  return TEXT.get(d);
}
