/**
 * Citations as the engine writes them ("15 CFR 740.29(d); 15 CFR 740.29(h)(1)", "15 CFR
 * 740.27(a)(1), (a)(2)(ii)", "ECCN 3A090.a.1", "15 CFR part 748, Supp. No. 10, paras 14, 15, 18")
 * cut into pinpoints, and each pinpoint resolved to the nearest paragraph the rule-text page has
 * an anchor for. Pure: shared by the server (the page) and the browser app (the links).
 */

export interface Pinpoint {
  /** The text of this pinpoint as shown. */
  text: string;
  /** Anchor key, e.g. "740.29(h)(1)", "3A090.a.1", "part748-supp10", "preamble". */
  key: string;
}

const SECTION = /15 CFR (\d{3})\.(\d+)((?:\([A-Za-z0-9]+\))*)((?:,\s*\([A-Za-z0-9]+\)(?:\([A-Za-z0-9]+\))*)*)/g;
const SUPPLEMENT = /15 CFR part (\d{3}),? Supp\.? (?:No\. )?(\d+)/g;
const PART = /15 CFR part (\d{3})(?!,? Supp)/g;
const ECCN = /ECCN (\d[A-E]\d{3})((?:\.[a-z0-9]+)*)(?:,? (Technical )?Notes? (\d+))?/g;
const PREAMBLE = /FR 2025-00636|90 FR 4544/;

/** Every pinpoint a citation names, in order. */
export function pinpoints(citation: string): Pinpoint[] {
  const out: Pinpoint[] = [];
  for (const seg of citation.split(';')) {
    const s = seg.trim();
    let found = false;
    for (const m of s.matchAll(SECTION)) {
      found = true;
      const section = `${m[1]}.${m[2]}`;
      out.push({ text: `${section}${m[3]}`, key: `${section}${m[3]}` });
      for (const more of (m[4] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) out.push({ text: `${section}${more}`, key: `${section}${more}` });
    }
    for (const m of s.matchAll(SUPPLEMENT)) {
      found = true;
      out.push({ text: `part ${m[1]}, Supp. No. ${m[2]}`, key: `part${m[1]}-supp${m[2]}` });
    }
    for (const m of s.matchAll(PART)) {
      found = true;
      out.push({ text: `part ${m[1]}`, key: `part${m[1]}` });
    }
    for (const m of s.matchAll(ECCN)) {
      found = true;
      const note = m[4] ? `-${m[3] ? 'tn' : 'note'}${m[4]}` : '';
      out.push({ text: `${m[1]}${m[2]}${m[4] ? ` ${m[3] ? 'Technical ' : ''}Note ${m[4]}` : ''}`, key: note ? `${m[1]}${note}` : `${m[1]}${m[2]}` });
    }
    if (!found && PREAMBLE.test(s)) out.push({ text: 'preamble', key: 'preamble' });
  }
  return out;
}

/** The key itself, then each enclosing paragraph: 740.29(h)(1) → 740.29(h) → 740.29 → part740. */
export function ancestors(key: string): string[] {
  const out = [key];
  let k = key;
  for (;;) {
    let next: string | undefined;
    if (/\)$/.test(k)) next = k.replace(/\([A-Za-z0-9]+\)$/, '');
    else if (/^\d[A-E]\d{3}(\.[a-z0-9]+)+$/.test(k)) next = k.replace(/\.[a-z0-9]+$/, '');
    else if (/^\d[A-E]\d{3}-/.test(k)) next = k.slice(0, 5);
    else if (/^\d[A-E]\d{3}$/.test(k)) next = 'part774-supp1';
    else if (/^\d{3}\.\d+$/.test(k)) next = `part${k.slice(0, 3)}`;
    else if (/^part\d{3}-supp\d+$/.test(k)) next = k.slice(0, 7);
    if (next === undefined || next === k) return out;
    out.push(next);
    k = next;
  }
}

/** The anchor to link a pinpoint to: itself if the page has it, else the nearest enclosing paragraph. */
export function anchorFor(key: string, anchors: ReadonlySet<string>): string | undefined {
  return ancestors(key).find((k) => anchors.has(k));
}

/** An element id for a key (ids may hold any character but spaces; keep them plain). */
export const anchorId = (key: string): string => `p-${key.replace(/[()]/g, (c) => (c === '(' ? '_' : '')).replace(/[^A-Za-z0-9._-]/g, '-')}`;
