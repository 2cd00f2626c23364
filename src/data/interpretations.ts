/** The interpretation register (data/interpretations.json): ids, questions and readings. */
import { loadData } from './load.js';

export interface Reading { id: string; label: string; source: string }
export interface Interpretation {
  id: string;
  question: string;
  citation: string;
  readings: Reading[];
  /**
   * What a reading can change: the classification, only the reported legal status, (default) the
   * later rules, or `view`: what the ledger figures supplied mean (the period a country's licensed
   * TPP covers). A `view` reading is applied by whoever counts those figures, so the engine cannot
   * re-evaluate another one: it lists the interpretation without claiming it changes nothing.
   */
  stage?: 'facts' | 'classification' | 'status' | 'view';
}

const file = loadData<{ interpretations: Interpretation[] }>('interpretations.json');

export const INTERPRETATIONS: ReadonlyMap<string, Interpretation> = new Map(file.interpretations.map((i) => [i.id, i]));

export function interpretation(id: string): Interpretation {
  const i = INTERPRETATIONS.get(id);
  if (!i) throw new Error(`unknown interpretation ${id}`);
  return i;
}

const defaults = new Map([...INTERPRETATIONS.values()].map((i) => [i.id, i.readings[0]!.id]));

export function defaultReading(id: string): string {
  const r = defaults.get(id);
  if (r === undefined) throw new Error(`unknown interpretation ${id}`);
  return r;
}

const readingIdsCache = new Map([...INTERPRETATIONS.values()].map((i) => [i.id, i.readings.map((r) => r.id)]));

export function readingIds(id: string): readonly string[] {
  const ids = readingIdsCache.get(id);
  if (!ids) throw new Error(`unknown interpretation ${id}`);
  return ids;
}

const labels = new Map([...INTERPRETATIONS.values()].map((i) => [i.id, new Map(i.readings.map((r) => [r.id, r.label]))]));

export function readingLabel(id: string, reading: string): string {
  return labels.get(id)?.get(reading) ?? reading;
}

/** The register as a Markdown page (docs/interpretations.md is generated from this). */
export function interpretationsMarkdown(): string {
  const rows = [...INTERPRETATIONS.values()].map((i) => {
    const [def, ...alts] = i.readings;
    const cell = (t: string) => t.replace(/\|/g, '\\|');
    return `| ${i.id} | ${cell(i.question)} | **${def!.id}**: ${cell(def!.label)} | ${alts.map((a) => `\`${a.id}\`: ${cell(a.label)}`).join('<br>') || '-'} | ${cell(i.citation)} |`;
  });
  return [
    '# Interpretations',
    '',
    'Generated from `data/interpretations.json` by `aidr interpretations --format markdown`; do not edit by hand.',
    '',
    'Each is a question the rule\'s text leaves open. The first reading is the default; choose another',
    'per call with `--interpretation ID=READING` (CLI) or `interpretations: { ID: READING }` (library, HTTP).',
    'Every determination lists the interpretations its answer depended on and whether another reading',
    'changes it (`interpretations[].changesOutcome`, `changes`, `changesObligations`).',
    '',
    '| id | question | default reading | alternatives | citation |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
