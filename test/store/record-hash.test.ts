/**
 * The audit record's hash is sha256(prevHash + canonical JSON of its fields): recordHash writes that
 * text out with the keys in order instead of building and sorting an object, and must give the
 * same bytes for any record (records written before stay verifiable).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordHash } from '../../src/store/audit.js';
import { canonicalJson, sha256 } from '../../src/store/canonical.js';

const byDefinition = (prevHash: string, r: Parameters<typeof recordHash>[1]) => sha256(prevHash + canonicalJson({
  seq: r.seq, id: r.id, at: r.at, actor: r.actor, kind: r.kind, input: r.input, options: r.options, output: r.output, rulesetVersion: r.rulesetVersion, effects: r.effects,
}));

describe('recordHash', () => {
  it('is sha256 of the previous hash and the canonical JSON of the record, for any text (quotes, backslashes, controls, non-ASCII)', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.json(), fc.constantFrom('', '"\\', '§ — 日本', '\u2028\n\t'));
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abcdef') }), fc.nat(), text, text, text, text, text, text, text, text, text,
      (prevHash, seq, id, at, actor, kind, input, options, output, rulesetVersion, effects) => {
        const r = { seq, id, at, actor, kind, input, options, output, rulesetVersion, effects };
        expect(recordHash(prevHash, r)).toBe(byDefinition(prevHash, r));
      }), { numRuns: 300 });
  });

  it('keeps the hash of a known record', () => {
    const r = { seq: 7, id: 'a1', at: '2025-06-02T00:00:00.000Z', actor: 'x', kind: 'determination', input: '{"a":"\\"q\\""}', options: '{}', output: '{"outcome":"license_exception","note":"§ 740.27 — ok"}', rulesetVersion: 'r1', effects: '{"exception":"AIA"}' };
    expect(recordHash('0'.repeat(64), r)).toBe(byDefinition('0'.repeat(64), r));
  });
});
