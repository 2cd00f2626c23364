/**
 * A screening worker thread: opens the stored ledger and the parties register itself (when the
 * run reads them), then screens the batches it is sent, one after another, in the order sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StoreOptions } from '../store/open.js';
import { NO_LEDGER, type LedgerSource } from './evaluate.js';
import type { InputRecord } from './read.js';
import { Screener, type ScreenerConfig } from './screener.js';
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
        // Line numbers and row ends as typed arrays: copied to the other thread in one block.
        const lines = new Int32Array(results.length);
        for (let i = 0; i < results.length; i++) {
          lines[i] = results[i]!.line;
          summary.add(results[i]!.meta);
        }
        if (typeof results[0]?.out !== 'string') {
          parentPort!.postMessage({ seq: m.seq, lines, outs: results.map((r) => r.out) });
          return;
        }
        // Text rows travel as one UTF-8 buffer, transferred rather than copied, with each row's end.
        const ends = new Uint32Array(results.length);
        let total = 0;
        for (let i = 0; i < results.length; i++) ends[i] = total += Buffer.byteLength(results[i]!.out as string);
        // Not from Buffer's shared pool: this memory is handed to the other thread.
        const bytes = Buffer.allocUnsafeSlow(total);
        let at = 0;
        for (const r of results) at += bytes.write(r.out as string, at);
        parentPort!.postMessage({ seq: m.seq, lines, bytes, ends }, [bytes.buffer as ArrayBuffer]);
      } catch (e) {
        parentPort!.postMessage({ seq: m.seq, error: (e as Error).stack ?? String(e) });
      }
    });
  });
  parentPort!.postMessage({ ready: true });
}

start().catch((e) => parentPort!.postMessage({ seq: -1, error: (e as Error).stack ?? String(e) }));
