/**
 * Screening data access, in one module: evaluates rows through the batch `POST /v1/determinations`
 * (lean output) in chunks, reporting progress; a row the server refuses is reported on its row and
 * the rest go on. When the screening jobs API (`POST /v1/screenings`) exists, this is the one file
 * to switch over.
 */
import { ApiError, post } from './client.js';
import type { Determination, Transaction } from './types.js';

export interface ScreenResult {
  index: number;
  tx: Transaction;
  determination?: Determination;
  error?: string;
}

/** The largest batch the service accepts by default (src/api/config.ts maxBatch) is 1,000; smaller chunks show progress sooner. */
const CHUNK = 500;

export async function screen(rows: Transaction[], onProgress: (done: number, total: number) => void, signal?: { cancelled: boolean }): Promise<ScreenResult[]> {
  const out: ScreenResult[] = rows.map((tx, index) => ({ index, tx }));
  for (let start = 0; start < rows.length && !signal?.cancelled; start += CHUNK) {
    let pending = out.slice(start, start + CHUNK);
    // A batch with an invalid row is refused whole, naming the row: mark it and send the rest again.
    for (let attempt = 0; pending.length > 0 && attempt < 50; attempt++) {
      try {
        const ds = await post<Determination[]>('/v1/determinations', { transactions: pending.map((r) => r.tx), options: { explain: false } });
        ds.forEach((d, i) => (pending[i]!.determination = d));
        break;
      } catch (e) {
        if (!(e instanceof ApiError) || (e.status !== 400 && e.status !== 422)) throw e;
        const bad = new Set<number>();
        for (const fe of e.errors.length ? e.errors : [{ path: '', message: e.message }]) {
          const m = /^body\.transactions\[(\d+)\]/.exec(fe.path);
          if (!m) throw e;
          const r = pending[Number(m[1])]!;
          r.error = r.error ? `${r.error}; ${fe.path.replace(/^body\.transactions\[\d+\]\.?/, '')}: ${fe.message}` : `${fe.path.replace(/^body\.transactions\[\d+\]\.?/, '') || 'row'}: ${fe.message}`;
          bad.add(Number(m[1]));
        }
        pending = pending.filter((_, i) => !bad.has(i));
      }
    }
    onProgress(Math.min(start + CHUNK, rows.length), rows.length);
  }
  return out;
}

/** One row's full determination (explanation, conditions with details), for the row's detail view. */
export async function fullDetermination(tx: Transaction): Promise<Determination> {
  return post<Determination>('/v1/determinations', { transaction: tx });
}
