/**
 * Register of published (open-weight) models and their training operations
 * (data/published-models.json). 4E091 Note 2 excludes models trained with fewer operations than
 * needed to match the most capable published model; that number is bounded above by the training
 * operations of the published models themselves, which is what this register supplies.
 */
import { loadData } from './load.js';
import { Decimal, dec } from '../compute/exact.js';

export interface PublishedModel { name: string; developer: string; published: string; trainingOperations: string; basis: string; source: string; note?: string }

const models = loadData<{ models: PublishedModel[] }>('published-models.json').models;

/** The published model with the most training operations released on or before `date`. */
export function largestPublishedModel(date: string): { model: PublishedModel; operations: Decimal } | undefined {
  let best: { model: PublishedModel; operations: Decimal } | undefined;
  for (const m of models) {
    if (m.published > date) continue;
    const ops = dec(m.trainingOperations);
    if (!best || ops.gt(best.operations)) best = { model: m, operations: ops };
  }
  return best;
}

export function publishedModels(): readonly PublishedModel[] {
  return models;
}

