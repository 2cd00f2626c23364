/**
 * ECCN 4A090.a and .b (15 CFR part 774, Supp. 1): computers, "electronic assemblies" and
 * "components" containing an IC that meets 3A090.a (.b). Note 3 to 3A090: an IC that Note 1
 * removes from 3A090 does not make a computer 4A090.
 */
import type { Paragraph } from './eccn-3a090.js';

const RANK: Record<'a' | 'b' | 'none', number> = { a: 2, b: 1, none: 0 };
const key = (p: Paragraph) => (p === null ? 'none' : p);

/**
 * The paragraphs a computer may fall in, given the possible paragraphs of each IC it contains:
 * the computer takes the highest paragraph among its ICs.
 */
export function computerParagraphs(icCandidates: readonly (readonly Paragraph[])[]): Paragraph[] {
  const options: Paragraph[] = ['a', 'b', null];
  return options.filter((v) => {
    const r = RANK[key(v)];
    const someoneReaches = icCandidates.some((c) => c.some((p) => RANK[key(p)] === r));
    const noneMustExceed = icCandidates.every((c) => c.some((p) => RANK[key(p)] <= r));
    return someoneReaches && noneMustExceed;
  });
}

export const CITE_4A090 = { a: 'ECCN 4A090.a', b: 'ECCN 4A090.b', note3: 'ECCN 3A090, Note 3 to 3A090.a and 3A090.b' };
