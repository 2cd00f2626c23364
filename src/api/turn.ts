/**
 * The end of this turn of the event loop: a promise resolved once the turn's I/O callbacks are
 * done (setImmediate), shared by every caller of the same turn. Evaluations wait for it so that,
 * under load, the requests that arrived together run one after another (the engine stays warm in
 * the caches, the answers go out together) and share what is read once for them (the stored
 * ledger's version: ledger-snapshot.ts). Whatever a caller reads after it was read after that
 * caller's request arrived.
 */
let turn: Promise<void> | undefined;

export function endOfTurn(): Promise<void> {
  return (turn ??= new Promise((resolve) => setImmediate(() => {
    turn = undefined;
    resolve();
  })));
}
