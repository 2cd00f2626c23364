/** Identity, dates and legal status of the ruleset (data/ruleset.json). */
import { loadData } from './load.js';

interface RulesetFile {
  id: string;
  title: string;
  citation: string;
  dates: Record<string, { date: string; source: string }>;
  status: { from: string; text: string }[];
}

export const RULESET = loadData<RulesetFile>('ruleset.json');

function date(name: string): string {
  const d = RULESET.dates[name];
  if (!d) throw new Error(`data/ruleset.json: missing date ${name}`);
  return d.date;
}

export const DATES = {
  effective: date('effective'),
  publication: date('publication'),
  compliance: date('compliance'),
  savingClauseEnd: date('savingClauseEnd'),
  supp10Security: date('supp10SecurityCompliance'),
  nonEnforcement: date('nonEnforcementAnnouncement'),
  gao: date('gaoDecision'),
};

export function statusOn(asOf: string): string {
  let text = RULESET.status[0]!.text;
  for (const s of RULESET.status) if (s.from <= asOf) text = s.text;
  return text;
}
