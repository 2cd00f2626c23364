/**
 * A screening worker thread: opens the stored ledger and the parties register itself (when the
 * run reads them), then screens the batches it is sent, one after another, in the order sent
 * (records and rows cross in the compact form of wire.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StoreOptions } from '../store/open.js';
import { NO_LEDGER, type LedgerSource } from './evaluate.js';
import { Screener, type Processed, type ScreenerConfig } from './screener.js';
import { SummaryBuilder } from './summary.js';
import { decodeRecords, RowBytes, type WireRecords } from './wire.js';

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
  // Rows' text is written as it is screened (CSV and JSON Lines); XLSX cells and row objects are sent as they are.
  const text = init.config.output === 'csv' || init.config.output === 'jsonl';
  // The last batch's bytes per row: the next batch's buffer is sized from it, so it rarely grows.
  let bytesPerRow = 512;
  let queue: Promise<void> = Promise.resolve();
  parentPort!.on('message', (m: { seq: number; records?: WireRecords; finish?: boolean }) => {
    queue = queue.then(async () => {
      try {
        if (m.finish) {
          parentPort!.postMessage({ seq: m.seq, summary: summary.state() });
          return;
        }
        const records = decodeRecords(m.records!);
        const n = m.records!.lines.length;
        if (!text) {
          const lines = new Int32Array(n);
          const outs: Processed['out'][] = [];
          await screener.each(records, (p) => {
            lines[outs.length] = p.line;
            outs.push(p.out);
            summary.add(p.meta);
          });
          parentPort!.postMessage({ seq: m.seq, lines, outs });
          return;
        }
        const rows = new RowBytes(n, Math.ceil(bytesPerRow * n * 1.25));
        // Each row's text written into `rows` as it is screened.
        await screener.each(records, (p) => summary.add(p.meta), rows);
        if (n) bytesPerRow = rows.size / n;
        const out = rows.message();
        // Transferred rather than copied.
        parentPort!.postMessage({ seq: m.seq, ...out }, [out.bytes.buffer as ArrayBuffer]);
      } catch (e) {
        parentPort!.postMessage({ seq: m.seq, error: (e as Error).stack ?? String(e) });
      }
    });
  });
  parentPort!.postMessage({ ready: true });
}

start().catch((e) => parentPort!.postMessage({ seq: -1, error: (e as Error).stack ?? String(e) }));
