/**
 * The engine caches what does not depend on the transaction (conditions, classifications, text
 * versions) for the life of the process. An answer must never depend on what was checked before it
 * in the same process: the same transactions are checked in three orders, each in a fresh copy of
 * the engine's modules, and every answer must be the same (red team: a cached NAC condition of
 * 2023-11-17 once answered a 2026 transfer).
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { transaction } from './arbitraries.js';

// Dates across every vintage, not only the codified rule's.
const DATES = ['2023-11-17', '2024-02-10', '2024-04-04', '2024-06-01', '2024-12-02', '2025-01-13', '2025-03-01', '2025-05-15', '2025-11-07', '2026-01-15', '2026-02-03', '2026-07-10', '2026-12-06'];
const txs = fc.sample(fc.tuple(transaction, fc.constantFrom(...DATES)).map(([t, date]) => ({ ...t, date })), { numRuns: 400, seed: 20261206 });

async function answers(order: number[]): Promise<string[]> {
  vi.resetModules();
  const { check } = await import('../src/index.js');
  const out: string[] = new Array(txs.length);
  for (const i of order) {
    try {
      out[i] = JSON.stringify(check(txs[i]));
    } catch (e) {
      out[i] = `refused: ${(e as Error).message}`;
    }
  }
  return out;
}

describe('order independence', () => {
  it('every answer is the same whichever transactions were checked before it', async () => {
    const forward = txs.map((_, i) => i);
    const shuffled = fc.sample(fc.shuffledSubarray(forward, { minLength: forward.length }), { numRuns: 1, seed: 7 })[0]!;
    const a = await answers(forward);
    const b = await answers([...forward].reverse());
    const c = await answers(shuffled);
    for (let i = 0; i < txs.length; i++) {
      expect(b[i], `transaction ${i} checked in reverse order`).toBe(a[i]);
      expect(c[i], `transaction ${i} checked in shuffled order`).toBe(a[i]);
    }
  }, 120_000);
});
