/**
 * The default idempotency keys of the transactions of one input (`aidr check --commit` of an
 * array, `aidr screen --commit` of a file), when no key is given: unique per transaction, and the
 * same on every run of the same input, so that a re-run or a `--resume` replays what was committed
 * and never draws twice.
 *
 * A transaction's key is its id the first time the id occurs in the input, and `ID#2`, `ID#3`, …
 * for its later occurrences, in input order: order books have several lines per PO number, and two
 * identical lines are two shipments (each draws; red team 2, D1). A derived key that an earlier
 * line already holds as its own id (a line whose id is literally `PO-2#2`) moves on to the next
 * number, so no two transactions of the input ever share a key.
 */
export class DefaultKeys {
  /** Keys handed out so far. */
  private readonly used = new Set<string>();
  /** Per id, the occurrence number to try next (absent: the id itself is still free to try). */
  private readonly next = new Map<string, number>();

  /** The key of the next transaction with this id. */
  keyFor(id: string): string {
    let n = this.next.get(id);
    let key = n === undefined ? id : `${id}#${n}`;
    n ??= 1;
    while (this.used.has(key)) key = `${id}#${++n}`;
    this.next.set(id, n + 1);
    this.used.add(key);
    return key;
  }
}
