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

const parsed = models.map((model) => ({ model, operations: dec(model.trainingOperations) }));
const largestByDate = new Map<string, { model: PublishedModel; operations: Decimal } | undefined>();

/** The published model with the most training operations released on or before `date`. */
export function largestPublishedModel(date: string): { model: PublishedModel; operations: Decimal } | undefined {
  if (largestByDate.has(date)) return largestByDate.get(date);
  let best: { model: PublishedModel; operations: Decimal } | undefined;
  for (const m of parsed) if (m.model.published <= date && (!best || m.operations.gt(best.operations))) best = m;
  if (largestByDate.size > 10_000) largestByDate.clear();
  largestByDate.set(date, best);
  return best;
}

export function publishedModels(): readonly PublishedModel[] {
  return models;
}

