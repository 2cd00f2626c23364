/**
 * The provision versions (data/regimes/provisions.json), the law modules that apply them, and the
 * enforcement posture rows that choose among them must agree: every version has a source and a
 * function, every row names versions, readings and interpretations that exist.
 */
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { COMPLIANCE_DEFERRALS, OVERLAYS, POSTURES, PROVISIONS, SOURCES, versionId } from '../../src/data/regimes.js';
import { INTERPRETATIONS, readingIds } from '../../src/data/interpretations.js';
import { REGISTERED } from '../../src/law/provision.js';

const keys = new Set(SOURCES.flatMap((s) => s.key.split(',').map((k) => k.trim().replace(/ p\.N$/, ''))));
const allVersions = new Set(PROVISIONS.flatMap((p) => p.versions.map((v) => versionId(p.id, v.from))));

describe('provision versions', () => {
  it('every provision with more than one version (or none before a date) is applied by a law module registering exactly its versions', () => {
    const unregistered = PROVISIONS.filter((p) => !REGISTERED.has(p.id) && !p.appliedBy).map((p) => p.id);
    // Provisions read with versionOn alone (a single version: in force or not) need no registry entry.
    for (const id of unregistered) expect(PROVISIONS.find((p) => p.id === id)!.versions.length, `${id} has several versions but no law module registers them`).toBe(1);
    for (const [id, dates] of REGISTERED) expect([...dates].sort()).toEqual(PROVISIONS.find((p) => p.id === id)!.versions.map((v) => v.from).sort());
  });

  it('every version has a Federal Register (or guidance) source and a known source key, in date order', () => {
    for (const p of PROVISIONS) {
      const dates = p.versions.map((v) => v.from);
      expect(dates, `${p.id} versions in date order`).toEqual([...dates].sort());
      for (const v of p.versions) {
        expect(v.source, `${p.id}#${v.from} source`).toMatch(/FR|GUID|GAO/);
        for (const k of v.sourceKey.split(';').map((x) => x.trim().split(' ')[0]!)) expect(keys.has(k), `${p.id}#${v.from}: source key ${k} is in data/regimes/sources.json`).toBe(true);
        if (v.codified === false) expect(p.versions.some((x) => x.from === v.replaces), `${p.id}#${v.from} replaces an existing version`).toBe(true);
      }
    }
    for (const o of OVERLAYS) expect(o.source).toMatch(/FR/);
  });

  it('posture rows name existing versions, interpretations and readings; dates are ISO', () => {
    for (const r of POSTURES) {
      expect(r.from, r.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(['enforced', 'not_enforced', 'unknown']).toContain(r.status);
      for (const v of [...(r.notEnforced ?? []), ...(r.appliedInstead ? [r.appliedInstead] : [])]) expect(allVersions.has(v), `${r.id}: version ${v}`).toBe(true);
      if (r.interpretation) {
        expect(INTERPRETATIONS.has(r.interpretation), `${r.id}: ${r.interpretation}`).toBe(true);
        for (const reading of r.enforcedUnder ?? []) expect(readingIds(r.interpretation)).toContain(reading);
      }
    }
    for (const d of COMPLIANCE_DEFERRALS) for (const reading of d.priorTextUnder) expect(readingIds(d.interpretation)).toContain(reading);
  });

  it('the enforcement rows E1-E18 are all there, each with a status from a date', () => {
    expect(POSTURES.map((r) => r.id)).toEqual(Array.from({ length: 18 }, (_, i) => `E${i + 1}`));
  });
});
