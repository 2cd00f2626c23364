/**
 * The readings an evaluation relied on (Ctx.touched: id → reading, in the order first recorded)
 * as one shared object per sequence. What depends only on that sequence (the list sorted by
 * interpretation number, the lean `interpretations` entries) is built once per sequence and hung
 * on it, instead of sorting and allocating per determination. The key is the whole sequence, so a
 * cached list can only be reused by an evaluation that relied on exactly the same readings.
 */
import type { RegimeAnswer } from '../contract/determination.js';

export type ReadingEntry = RegimeAnswer['readings'][number];

/** One node per sequence of entries; `sorted` and `uses` are filled by their users on first need. */
export interface ReliedOn {
  readonly entries: readonly ReadingEntry[];
  sorted?: RegimeAnswer['readings'];
  uses?: unknown;
  /** The next entry → the sequence one entry longer. */
  next?: Map<ReadingEntry, ReliedOn>;
}

/** One {id, reading} object per pair, shared by every list that holds it (outputs are read-only). */
const entriesById = new Map<string, Map<string, ReadingEntry>>();
function entry(id: string, reading: string): ReadingEntry {
  let byReading = entriesById.get(id);
  if (!byReading) entriesById.set(id, (byReading = new Map()));
  let e = byReading.get(reading);
  if (!e) byReading.set(reading, (e = Object.freeze({ id, reading })));
  return e;
}

const NOTHING: ReliedOn = { entries: [] };
let root: ReliedOn = { entries: [] };
let nodes = 0;
/** A bound on the sequences kept: user-chosen readings could otherwise grow the tree without end. */
const MAX_NODES = 20_000;

/** The shared node for these readings in this order. */
export function reliedOn(touched: ReadonlyMap<string, string>): ReliedOn {
  if (touched.size === 0) return NOTHING;
  if (nodes > MAX_NODES) {
    root = { entries: [] };
    nodes = 0;
  }
  let node = root;
  for (const [id, reading] of touched) {
    const e = entry(id, reading);
    let next = node.next?.get(e);
    if (!next) {
      (node.next ??= new Map()).set(e, (next = { entries: [...node.entries, e] }));
      nodes++;
    }
    node = next;
  }
  return node;
}
