/**
 * Screening data access, in one module: the order book goes to the screening jobs API
 * (`POST /v1/screenings`, as JSON Lines of transactions), which screens it in file order with the
 * running totals per consignee (LPP, AIA, allocation) and the stored ledger, as `aidr screen` does;
 * progress is polled, and the rows come back as JSON Lines (lean determinations). A row the service
 * cannot evaluate is reported on its row. Sending the rows in independent chunks, as this page did,
 * lost the running totals between chunks: one consignee got a fresh LPP cap in each (red team,
 * 2026-12-06).
 */
import { del, get, getText, post, postText } from './client.js';
import type { Determination, Transaction } from './types.js';

export interface ScreenResult {
  index: number;
  tx: Transaction;
  determination?: Determination;
  error?: string;
}

interface Job { id: string; state: string; rowsDone: number; error?: string | null }
interface Row { line: number; determination?: Determination; errors?: { path: string; message: string }[] }

/** How often the job's progress is asked for (ms). */
const POLL_MS = 150;

export async function screen(rows: Transaction[], onProgress: (done: number, total: number) => void, signal?: { cancelled: boolean }): Promise<ScreenResult[]> {
  const out: ScreenResult[] = rows.map((tx, index) => ({ index, tx }));
  if (!rows.length) return out;
  const body = rows.map((tx) => JSON.stringify(tx)).join('\n');
  let job = await postText<Job>('/v1/screenings', `${body}\n`, 'application/x-ndjson');
  while (job.state !== 'done' && job.state !== 'failed' && !signal?.cancelled) {
    onProgress(Math.min(job.rowsDone, rows.length), rows.length);
    await new Promise((r) => setTimeout(r, POLL_MS));
    job = await get<Job>(`/v1/screenings/${job.id}`);
  }
  if (signal?.cancelled) return out;
  if (job.state === 'failed') throw new Error(`the screening failed: ${job.error ?? 'no reason given'}`);
  const text = await getText(`/v1/screenings/${job.id}/results?format=jsonl`);
  for (const line of text.split('\n')) {
    if (!line) continue;
    const row = JSON.parse(line) as Row;
    // One transaction a line: line n is the n-th row.
    const r = out[row.line - 1];
    if (!r) continue;
    if (row.determination) r.determination = row.determination;
    else r.error = (row.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ') || 'not evaluated';
  }
  // The page keeps the rows (and downloads them itself): the job's stored copy is not needed.
  await del(`/v1/screenings/${job.id}`).catch(() => undefined);
  onProgress(rows.length, rows.length);
  return out;
}

/** One row's full determination (explanation, conditions with details), for the row's detail view. */
export async function fullDetermination(tx: Transaction): Promise<Determination> {
  return post<Determination>('/v1/determinations', { transaction: tx });
}
