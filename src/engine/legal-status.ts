/**
 * The legal status on a date, as a person reads it: which vintage of the advanced-computing rules
 * governs, what each regime (codified, enforced) evaluates, the timeline of instruments with the
 * ones in effect marked, and BIS's posture per provision of 90 FR 4544, each with its sources.
 * Everything here is read from data/regimes/*.json (src/data/regimes.ts); nothing is decided here.
 * Used by `aidr status`, the text output of `aidr check` and `audit replay`.
 */
import type { RegimeId } from '../contract/determination.js';
import {
  COMPLIANCE_DEFERRALS, OVERLAYS, POSTURES, SOURCES, TIMELINE, VINTAGES, vintageOn,
  type Overlay, type ProvisionPosture, type SourceKey, type TimelineEntry, type Vintage,
} from '../data/regimes.js';

export interface PostureOnDate {
  id: string;
  provision: string;
  /** The row's status on the date; `not_yet` before the row applies (the text in force governs). */
  status: ProvisionPosture['status'] | 'not_yet';
  from: string;
  codifiedEffect: string;
  enforcedPosture: string;
  basis: string;
  label: string;
  interpretation?: string;
}

export interface RegimeStatement {
  id: RegimeId;
  /** What the regime evaluates on the date, in one sentence. */
  sentence: string;
  /** Later rules (overlays) in effect for this regime on the date. */
  overlays: string[];
}

export interface LegalStatus {
  asOf: string;
  /** The vintage on the date; null before the first (the earlier rules are not modeled). */
  vintage: Vintage | null;
  regimes: RegimeStatement[];
  timeline: (TimelineEntry & { inEffect: boolean })[];
  postures: PostureOnDate[];
  /** The source keys the statements and postures cite, resolved. */
  sources: SourceKey[];
}

/** The first Federal Register citation in a timeline entry ("88 FR 73458"). */
function frCite(id: string): string {
  const e = TIMELINE.find((t) => t.id === id);
  const m = e && /\d+ FR \d+/.exec(e.instrument);
  if (!m) throw new Error(`data/regimes/timeline.json: ${id} names no FR citation`);
  return m[0];
}

const entry = (id: string): TimelineEntry => {
  const e = TIMELINE.find((t) => t.id === id);
  if (!e?.date) throw new Error(`data/regimes/timeline.json: no dated entry ${id}`);
  return e;
};

/** The dates the statements turn on, from the data (the AI Diffusion rule's deferral, the announcement, the guidance). */
function keyDates() {
  const deferral = COMPLIANCE_DEFERRALS[0]!;
  return {
    first: VINTAGES[0]!.from,
    diffusion: deferral.effective,
    compliance: deferral.complianceFrom,
    deferralInterpretation: deferral.interpretation,
    announcement: entry('T10').date!,
    gao: entry('T17'),
    guidance: entry('T18').date!,
  };
}

const overlaysOn = (asOf: string, regime: RegimeId): Overlay[] => OVERLAYS.filter((o) => o.from <= asOf && o.regimes.includes(regime));

function withOverlays(sentence: string, overlays: Overlay[]): string {
  return overlays.length ? `${sentence}, with ${overlays.map((o) => `${o.source} (from ${o.from})`).join(' and ')}` : sentence;
}

/** What each regime evaluates on `asOf`, in a sentence each. */
export function regimeStatements(asOf: string): RegimeStatement[] {
  const k = keyDates();
  const base = `the advanced-computing rule of ${frCite('T1')} as amended`;
  const diffusion = frCite('T7');
  const v = vintageOn(asOf);
  const codifiedOverlays = overlaysOn(asOf, 'codified');
  const enforcedOverlays = overlaysOn(asOf, 'enforced');
  const ids = (os: Overlay[]) => os.map((o) => o.id);
  if (!v) {
    const s = `before ${k.first} the earlier rules are not modeled: aidr answers indeterminate`;
    return [{ id: 'codified', sentence: s, overlays: [] }, { id: 'enforced', sentence: s, overlays: [] }];
  }
  if (asOf < k.diffusion) {
    const s = `${base}, text in force on the date (vintage ${v.id}, ${v.from} to ${v.to})`;
    return [{ id: 'codified', sentence: s, overlays: [] }, { id: 'enforced', sentence: s, overlays: [] }];
  }
  const v3 = vintageOn(prevDay(k.diffusion))!;
  if (asOf < k.compliance) {
    return [
      { id: 'codified', sentence: `${diffusion} as written, in effect since ${k.diffusion} but with compliance not required until ${k.compliance} (${k.deferralInterpretation})`, overlays: [] },
      { id: 'enforced', sentence: `${base} as it stood before ${diffusion} (vintage ${v3.id}), which governed compliance until ${k.compliance}`, overlays: [] },
    ];
  }
  const notEnforced = POSTURES.filter((p) => p.from <= asOf && p.status === 'not_enforced').map((p) => p.id);
  const unknown = POSTURES.filter((p) => p.from <= asOf && p.status === 'unknown').map((p) => p.id);
  const gao = `${k.gao.instrument} (${k.gao.date}) holds that announcement an unsubmitted rule, so the text stays codified`;
  return [
    { id: 'codified', sentence: withOverlays(`${diffusion} as written (no rescission published; ${gao})`, codifiedOverlays), overlays: ids(codifiedOverlays) },
    {
      id: 'enforced',
      sentence: withOverlays(`${diffusion} as BIS enforces it: the provisions BIS announced on ${k.announcement} it would not enforce (${notEnforced.join(', ')}) replaced by the ${v3.id} text they amended, the headquarters test enforced everywhere (BIS guidance of ${k.guidance})${unknown.length ? `; posture unknown for ${unknown.join(', ')}` : ''}`, enforcedOverlays),
      overlays: ids(enforcedOverlays),
    },
  ];
}

function prevDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Each posture row as it stands on `asOf`. */
export function posturesOnDate(asOf: string): PostureOnDate[] {
  return POSTURES.map((p) => ({
    id: p.id, provision: p.provision, status: p.from <= asOf ? p.status : 'not_yet', from: p.from,
    codifiedEffect: p.codifiedEffect, enforcedPosture: p.enforcedPosture, basis: p.basis, label: p.label,
    ...(p.interpretation ? { interpretation: p.interpretation } : {}),
  }));
}

/** The source keys cited in `texts` ("[GAO]", "[FR-AI p.61]", "GUID-2026-05-31"), resolved against data/regimes/sources.json. */
export function sourcesCited(texts: readonly string[]): SourceKey[] {
  const joined = texts.join(' ');
  return SOURCES.filter((s) => s.key.split(/,\s*/).some((k) => joined.includes(k.replace(/ p\.N$/, ''))));
}

export function legalStatus(asOf: string): LegalStatus {
  const regimes = regimeStatements(asOf);
  const postures = posturesOnDate(asOf);
  const v = vintageOn(asOf) ?? null;
  const timeline = TIMELINE.map((t) => ({ ...t, inEffect: t.date !== null && t.date <= asOf }));
  const cited = [v?.baseText ?? '', ...postures.filter((p) => p.status !== 'not_yet').map((p) => p.basis), ...timeline.filter((t) => t.inEffect).map((t) => t.source), ...OVERLAYS.filter((o) => o.from <= asOf).map((o) => o.sourceKey)];
  return { asOf, vintage: v, regimes, timeline, postures, sources: sourcesCited(cited) };
}

/** One line for a determination's text: the vintage and what each regime evaluates. */
export function statusSentence(asOf: string): string {
  const v = vintageOn(asOf);
  const [codified, enforced] = regimeStatements(asOf);
  return `${v ? `Vintage ${v.id} (${v.from} to ${v.to}). ` : ''}As written: ${codified!.sentence}. As BIS enforces it: ${enforced!.sentence}.`;
}

/** The sources behind statusSentence(asOf), as "KEY: source" lines. */
export function statusSources(asOf: string): SourceKey[] {
  const v = vintageOn(asOf);
  const k = keyDates();
  const texts = [v?.baseText ?? ''];
  if (asOf >= k.diffusion) texts.push('[FR-AI]');
  if (asOf >= k.compliance) texts.push(entry('T10').source, entry('T17').source, asOf >= k.guidance ? entry('T18').source : '');
  for (const o of OVERLAYS) if (o.from <= asOf) texts.push(o.sourceKey);
  return sourcesCited(texts);
}
