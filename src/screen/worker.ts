/**
 * A screening worker thread: opens the stored ledger and the parties register itself (when the
 * run reads them), then screens the batches it is sent, one after another, in the order sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StoreOptions } from '../store/open.js';
import { NO_LEDGER, type LedgerSource } from './evaluate.js';
import type { InputRecord } from './read.js';
import { Screener, type Processed, type ScreenerConfig } from './screener.js';
import { SummaryBuilder } from './summary.js';

export interface WorkerInit {
  config: ScreenerConfig;
  /** Open this store to read the ledger (and the parties register); absent: none. */
  store?: StoreOptions;
  ledger: boolean;
  parties: boolean;
}

async function start(): Promise<void> {
  const init = workerData as WorkerInit;
  let source: LedgerSource = NO_LEDGER;
  let parties;
  if (init.store) {
    const { openStore } = await import('../store/open.js');
    const { storeLedger, storeParties } = await import('./sources.js');
    const store = await openStore({ ...init.store, poolSize: 2 });
    if (init.ledger) source = await storeLedger(store);
    if (init.parties) parties = await storeParties(store);
  }
  const screener = new Screener(init.config, source, parties);
  // Counted here and sent once at the end: a summary entry per row would cost more to send than to count.
  const summary = new SummaryBuilder('', '', '');
  let queue: Promise<void> = Promise.resolve();
  parentPort!.on('message', (m: { seq: number; records?: InputRecord[]; finish?: boolean }) => {
    queue = queue.then(async () => {
      try {
        if (m.finish) {
          parentPort!.postMessage({ seq: m.seq, summary: summary.state() });
          return;
        }
        const results = await screener.process(m.records!);
        const lines = new Array<number>(results.length);
        const outs = new Array<Processed['out']>(results.length);
        for (let i = 0; i < results.length; i++) {
          const r = results[i]!;
          lines[i] = r.line;
          outs[i] = r.out;
          summary.add(r.meta);
        }
        parentPort!.postMessage({ seq: m.seq, lines, outs });
      } catch (e) {
        parentPort!.postMessage({ seq: m.seq, error: (e as Error).stack ?? String(e) });
      }
    });
  });
  parentPort!.postMessage({ ready: true });
}

start().catch((e) => parentPort!.postMessage({ seq: -1, error: (e as Error).stack ?? String(e) }));
