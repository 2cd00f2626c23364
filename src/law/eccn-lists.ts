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

/** Does the provision's list cover this ECCN? ('3A090*' covers 3A090.a, .b and .c.) */
export function covers(name: ListName, eccn: string | null): boolean {
  if (eccn === null) return false;
  let m = matchers.get(name);
  if (!m) {
    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const e of list(name).eccns) (e.endsWith('*') ? prefixes.push(e.slice(0, -1)) : exact.add(e));
    m = (x) => exact.has(x) || prefixes.some((p) => x.startsWith(p));
    matchers.set(name, m);
  }
  return m(eccn);
}

/** License exceptions the EAR keeps open for these items that aidr does not evaluate (740.2(a)(9)(ii)). */
export function notEvaluatedExceptions(eccn: string | null): readonly string[] {
  if (!covers('notEvaluatedExceptions', eccn)) return [];
  return (file.notEvaluatedExceptions as unknown as { exceptions: string[] }).exceptions;
}

export function listCitation(name: ListName): string {
  return list(name).citation;
}

/** The rule's two tiers of advanced-computing items: '.a' items (worldwide) and '.b' items. */
export function advancedClass(eccn: string | null): 'a' | 'b' | 'hbm' | 'weights' | null {
  if (covers('worldwideLicense', eccn)) return 'a';
  if (covers('countryGroupLicense', eccn)) return 'b';
  if (covers('headquartersLicenseHbm', eccn)) return 'hbm';
  if (covers('modelWeights', eccn)) return 'weights';
  return null;
}
