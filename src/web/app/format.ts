/** Display helpers: numbers with thousands separators, outcome words, paths as questions. */
import type { Outcome } from './api/types.js';

export const num = (v: string | number | null | undefined): string => {
  if (v === null || v === undefined || v === '') return '—';
  const s = String(v);
  if (!/^-?\d+(\.\d+)?$/.test(s)) return s;
  const [i, f] = s.split('.');
  return `${i!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${f ? `.${f}` : ''}`;
};

/**
 * The engine's explanations write exact figures as plain digits ("over the cap by 131420000"):
 * group those of five digits or more for reading. Digits inside identifiers, dates, citations
 * and decimals (next to a letter, '-', '.', '_' or '/') are left as they are.
 */
export const readable = (text: string | null | undefined): string =>
  text ? text.replace(/(?<![\w.\-/])\d{5,}(?![\w\-/]|\.\d)/g, (d) => d.replace(/\B(?=(\d{3})+(?!\d))/g, ',')) : '';

/** Today's date where the browser is (YYYY-MM-DD): a check is about a shipment now unless the user says otherwise. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export const OUTCOME_WORDS: Record<Outcome, string> = {
  not_subject: 'Not subject to the EAR',
  no_license_required: 'No license required',
  license_exception: 'License exception available',
  license_required: 'License required',
  indeterminate: 'Indeterminate: facts are missing',
};

export const words = (s: string | null | undefined): string => (s ? s.replace(/_/g, ' ') : '—');

/** A missing fact's path as a question a person can answer. */
export function question(path: string): string {
  const known: Record<string, string> = {
    'item.datacenter': 'Is the item designed or marketed for datacenters?',
    'item.dieAreaMm2': 'What is the applicable die area (mm²)?',
    'item.published': 'Have the model weights been published?',
    'item.tpp': 'What is the item\'s total processing performance (TPP)?',
    'facts.storageMeetsSupp10Security': 'Does the storage facility meet Supp. 10 to part 748, paras 14, 15 and 18?',
    'facts.permanentRegularEmployee': 'Is the foreign person a permanent regular employee?',
    'facts.part744Concern': 'Is a part 744 end use or end user involved?',
    'facts.ultimateCustomersInMacauOrD5': 'Are the items ultimately destined to customers in Macau or D:5?',
    to: 'Where does the item go (destination country)?',
  };
  if (known[path]) return known[path];
  const party = /^(consignee|endUser)\.(.+)$/.exec(path);
  if (party) {
    const who = party[1] === 'consignee' ? 'the consignee' : 'the end user';
    const field: Record<string, string> = {
      country: `Where is ${who} located?`, headquarters: `Where is ${who} headquartered?`,
      ultimateParentHeadquarters: `Where is ${who}'s ultimate parent headquartered?`, sector: `Is ${who} a private sector or a government end user?`,
    };
    if (field[party[2]!]) return field[party[2]!]!;
  }
  return `What is ${path}?`;
}

export type AnswerKind = 'boolean' | 'sector' | 'country' | 'number' | 'text';
export function answerKind(path: string): AnswerKind {
  if (/(^|\.)(datacenter|published|note2Excluded|trainedOnControlledComputing|producedOutsideUS|foreignDirectProduct)$/.test(path) || path.startsWith('facts.')) return 'boolean';
  if (path.endsWith('.sector')) return 'sector';
  if (/(^|\.)(country|headquarters|ultimateParentHeadquarters|to|from)$/.test(path)) return 'country';
  if (/(dieAreaMm2|tpp|tops|quantity|Operations|parameters|trainingTokens)$/.test(path)) return 'number';
  return 'text';
}
