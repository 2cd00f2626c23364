/** ECCN coverage lists of each provision (data/eccn-lists.json), with wildcard matching. */
import { loadData } from '../data/load.js';

interface ListsFile { [name: string]: { citation: string; eccns: string[] } | string }

const file = loadData<ListsFile>('eccn-lists.json');

export type ListName =
  | 'worldwideLicense' | 'countryGroupLicense' | 'headquartersLicenseB' | 'headquartersLicenseHbm' | 'hbmD5License'
  | 'modelWeights' | 'exceptionRestriction' | 'aia' | 'acm' | 'lpp' | 'nacAca' | 'hbm' | 'licenseApplication' | 'notEvaluatedExceptions';

function list(name: ListName): { citation: string; eccns: string[] } {
  const l = file[name];
  if (!l || typeof l === 'string') throw new Error(`data/eccn-lists.json: missing list ${name}`);
  return l;
}

const matchers = new Map<ListName, (eccn: string) => boolean>();
/** Answers already given, per list and ECCN (a handful of ECCNs meet these lists on every evaluation). */
const answers = new Map<ListName, Map<string, boolean>>();

/** Does the provision's list cover this ECCN? ('3A090*' covers 3A090.a, .b and .c.) */
export function covers(name: ListName, eccn: string | null): boolean {
  if (eccn === null) return false;
  let byEccn = answers.get(name);
  if (!byEccn) answers.set(name, (byEccn = new Map()));
  let answer = byEccn.get(eccn);
  if (answer === undefined) {
    if (byEccn.size > 10_000) byEccn.clear(); // user-given ECCNs are open-ended
    byEccn.set(eccn, (answer = matcher(name)(eccn)));
  }
  return answer;
}

function matcher(name: ListName): (eccn: string) => boolean {
  let m = matchers.get(name);
  if (!m) {
    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const e of list(name).eccns) (e.endsWith('*') ? prefixes.push(e.slice(0, -1)) : exact.add(e));
    m = (x) => exact.has(x) || prefixes.some((p) => x.startsWith(p));
    matchers.set(name, m);
  }
  return m;
}

/** License exceptions the EAR keeps open for these items that aidr does not evaluate (740.2(a)(9)(ii)). */
export function notEvaluatedExceptions(eccn: string | null): readonly string[] {
  if (!covers('notEvaluatedExceptions', eccn)) return [];
  return (file.notEvaluatedExceptions as unknown as { exceptions: string[] }).exceptions;
}

export function listCitation(name: ListName): string {
  return list(name).citation;
}

export type AdvancedClass = 'a' | 'b' | 'hbm' | 'weights' | null;
const classes = new Map<string | null, AdvancedClass>();

/** The rule's two tiers of advanced-computing items: '.a' items (worldwide) and '.b' items (and HBM, weights). */
export function advancedClass(eccn: string | null): AdvancedClass {
  let kind = classes.get(eccn);
  if (kind === undefined) {
    if (classes.size > 10_000) classes.clear();
    classes.set(eccn, (kind = classOf(eccn)));
  }
  return kind;
}

function classOf(eccn: string | null): AdvancedClass {
  if (covers('worldwideLicense', eccn)) return 'a';
  if (covers('countryGroupLicense', eccn)) return 'b';
  if (covers('headquartersLicenseHbm', eccn)) return 'hbm';
  if (covers('modelWeights', eccn)) return 'weights';
  return null;
}
