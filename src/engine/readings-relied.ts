/**
 * The readings an evaluation relied on (Ctx.touched: id → reading, in the order first recorded)
 * as one shared node per sequence, which the context advances as it records each new reading.
 * What depends only on that sequence (the list sorted by interpretation number, the lean
 * `interpretations` entries) is built once per sequence and hung on its node, instead of sorting
 * and allocating per determination. A node stands for the whole sequence, so a list cached on it
 * is only reused by an evaluation that relied on exactly the same readings.
 */
import type { RegimeAnswer } from '../contract/determination.js';

export type ReadingEntry = RegimeAnswer['readings'][number];

/** One node per sequence of entries; `sorted` and `uses` are filled by their users on first need. */
export interface ReliedOn {
  readonly entries: readonly ReadingEntry[];
  /** The same entries by id (the contexts' `touched`), built once per node. */
  readonly byId: ReadonlyMap<string, string>;
  sorted?: RegimeAnswer['readings'];
  uses?: unknown;
  /** id → reading → the sequence one entry longer. */
  next?: Map<string, Map<string, ReliedOn>>;
}

/** A node with every field present from the start: one object shape for all nodes, whichever fields are filled later. */
function node(entries: readonly ReadingEntry[], byId: ReadonlyMap<string, string>): ReliedOn {
  return { entries, byId, sorted: undefined, uses: undefined, next: undefined };
}

function emptyNode(): ReliedOn {
  return node([], new Map());
}

/** The empty sequence: where every context starts. */
export let NOTHING_RELIED: ReliedOn = emptyNode();
let nodes = 0;
/** A bound on the sequences kept: user-chosen readings could otherwise grow the tree without end. */
const MAX_NODES = 20_000;

/** The sequence `prior` followed by (id, reading). */
export function extend(prior: ReliedOn, id: string, reading: string): ReliedOn {
  let byReading = prior.next?.get(id);
  let next = byReading?.get(reading);
  if (next) return next;
  if (nodes > MAX_NODES) {
    // Start a new tree; nodes already handed out stay valid (their lists depend on them alone).
    NOTHING_RELIED = emptyNode();
    nodes = 0;
  }
  if (!byReading) (prior.next ??= new Map()).set(id, (byReading = new Map()));
  byReading.set(reading, (next = node([...prior.entries, Object.freeze({ id, reading })], new Map(prior.byId).set(id, reading))));
  nodes++;
  return next;
}

/** The node for these readings in this order (for a list assembled outside a context). */
export function reliedOn(readings: ReadonlyMap<string, string>): ReliedOn {
  let at = NOTHING_RELIED;
  for (const [id, reading] of readings) at = extend(at, id, reading);
  return at;
}
