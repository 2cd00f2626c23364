/**
 * parseJsonExact: JSON.parse, except that a number literal a double does not reproduce arrives as
 * the decimal string of its text, so that the contract's exact comparisons see the figure given.
 * Then the scenario through `bin/aidr check` (needs `npm run build`, as test/unit/cli.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonExact, reproducedByDouble } from '../../src/contract/json.js';
import { Decimal } from '../../src/compute/exact.js';

const BIG = '99999999999999999999999999'; // 10^26 − 1: JSON.parse makes it 1e26

/** The error JSON.parse throws on this text (its message, with positions in this text). */
function jsonParseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${text} to be invalid JSON`);
}

/** An object key `__proto__`, or `constructor` holding an object with a `prototype` key, anywhere in v. */
function hasPrototypeKey(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(hasPrototypeKey);
  const o = v as Record<string, unknown>;
  if (Object.hasOwn(o, '__proto__')) return true;
  const c = Object.hasOwn(o, 'constructor') ? o.constructor : undefined;
  if (c !== null && typeof c === 'object' && Object.hasOwn(c, 'prototype')) return true;
  return Object.values(o).some(hasPrototypeKey);
}

describe('parseJsonExact', () => {
  it('equals JSON.parse on any JSON value written by JSON.stringify (every such number is reproduced)', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => {
      const text = pretty ? JSON.stringify(v, null, 2) : JSON.stringify(v);
      // Prototype keys are refused by design (as Fastify's parser refuses them); everything else parses alike.
      if (hasPrototypeKey(v)) expect(() => parseJsonExact(text)).toThrow(/__proto__/);
      else expect(parseJsonExact(text)).toEqual(JSON.parse(text));
    }));
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 20 }), (xs) => {
      const text = JSON.stringify({ xs, nested: [[xs]] });
      expect(parseJsonExact(text)).toEqual(JSON.parse(text));
    }));
  });

  it('keeps as a number any literal of at most 15 significant digits in the normal range, however written', () => {
    const literal = fc.tuple(fc.bigInt(1n, 10n ** 15n - 1n), fc.integer({ min: -290, max: 290 }), fc.nat(3), fc.constantFrom('e', 'E', 'e+', 'E-', 'fraction'), fc.boolean())
      .map(([m, k, zeros, form, neg]) => {
        const digits = m.toString() + '0'.repeat(zeros);
        const sign = neg ? '-' : '';
        if (form === 'fraction') return `${sign}0.${'0'.repeat(k & 7)}${digits}`;
        if (form === 'E-') return `${sign}${digits}E-${Math.abs(k)}`;
        return `${sign}${digits}${form}${form.endsWith('+') ? Math.abs(k) : k}`;
      });
    fc.assert(fc.property(literal, (lit) => {
      const v = (parseJsonExact(`[${lit}]`) as unknown[])[0];
      expect(typeof v).toBe('number');
      expect(v).toBe(JSON.parse(lit));
    }));
  });

  it('delivers the exact digits of a big integer a double does not reproduce, and a number when it does', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), (b) => {
      const v = (parseJsonExact(`{"n":${b}}`) as { n: unknown }).n;
      if (typeof v === 'string') {
        expect(v).toBe(b.toString());
        expect(new Decimal(String(Number(b))).eq(b.toString())).toBe(false);
      } else {
        // A number only when what the schemas make of it, String(n), is the literal's value.
        expect(typeof v).toBe('number');
        expect(new Decimal(String(v)).eq(b.toString())).toBe(true);
      }
    }));
    expect(parseJsonExact(BIG)).toBe(BIG);
    expect(parseJsonExact('100000000000000000000000000')).toBe(1e26);
  });

  it('decides literals at the edges', () => {
    const cases: [string, unknown][] = [
      ['1.0000000000000000001e26', '1.0000000000000000001e26'],
      [`-${BIG}`, `-${BIG}`],
      ['9007199254740993', '9007199254740993'], // 2^53 + 1
      ['9007199254740992', 9007199254740992],
      ['12345678901234567', '12345678901234567'],
      ['0.30000000000000004', 0.30000000000000004], // 17 digits, yet what JSON.stringify writes for 0.1 + 0.2
      ['0.1', 0.1],
      ['1.00000000000000000000', 1], // trailing zeros are not significant
      ['0.00000000000000000000000001', 1e-26],
      ['1e400', '1e400'], // Infinity otherwise
      ['-1e400', '-1e400'],
      ['1e-400', '1e-400'], // 0 otherwise
      ['4.9e-324', '4.9e-324'], // the subnormal 5e-324 otherwise
      ['5e-324', 5e-324],
      ['1.7976931348623157e308', 1.7976931348623157e308],
      ['1.7976931348623159e308', '1.7976931348623159e308'],
      ['0e999999', 0],
      ['1E+26', 1e26],
      ['-0', -0],
    ];
    for (const [lit, want] of cases) {
      expect(parseJsonExact(`[${lit}]`), lit).toEqual([want]);
      expect(reproducedByDouble(lit), lit).toBe(typeof want === 'number');
    }
  });

  it('leaves strings alone, whatever digits, exponents, escapes and quotes they hold', () => {
    const text = fc.string({ unit: fc.constantFrom(...'0123456789eE.-+"\\ :,[]{}'.split(''), 'é', '\n'), maxLength: 60 });
    fc.assert(fc.property(text, (s) => {
      const doc = `{"s":${JSON.stringify(s)},"n":${BIG},${JSON.stringify(s + '1')}:[${JSON.stringify(s)},1e3]}`;
      expect(parseJsonExact(doc)).toEqual({ s, n: BIG, [s + '1']: [s, 1000] });
    }));
    expect(parseJsonExact(`["${BIG}", "1e400", "\\"${BIG}\\"", ${BIG}]`)).toEqual([BIG, '1e400', `"${BIG}"`, BIG]);
  });

  it('rewrites in nested arrays and objects, keys with digits stay keys', () => {
    const doc = `{"a":[1,{"b":[${BIG}, 2.5e3, "1e999", [[[12345678901234567890.5]]]]}], "c" : {"d" : -12345678901234567890 , "e":null},
      "${BIG}": ${BIG}}`;
    expect(parseJsonExact(doc)).toEqual({
      a: [1, { b: [BIG, 2500, '1e999', [[['12345678901234567890.5']]]] }],
      c: { d: '-12345678901234567890', e: null },
      [BIG]: BIG,
    });
  });

  it('refuses __proto__ and constructor.prototype keys, as Fastify does', () => {
    for (const doc of ['{"__proto__":{"polluted":1}}', `{"a":${BIG},"b":[{"__proto__":{}}]}`, '{"\\u005f_proto__":1}', '{"constructor":{"prototype":{"x":1}}}']) {
      expect(() => parseJsonExact(doc), doc).toThrow(SyntaxError);
      expect(() => parseJsonExact(doc), doc).toThrow(/"__proto__" key, or a "constructor" key holding "prototype"/);
    }
    expect(parseJsonExact('{"constructor":1,"proto":2}')).toEqual({ constructor: 1, proto: 2 });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('refuses a key given twice in one object, naming its path (red team, 2026-12-06: the last value was kept, and committed)', () => {
    expect(() => parseJsonExact('{"transaction":{"quantity":1,"quantity":5000}}')).toThrow(/the key "transaction\.quantity" twice in one object/);
    expect(() => parseJsonExact('{"commit":false,"commit":true}')).toThrow(/"commit" twice/);
    expect(() => parseJsonExact('{"transactions":[{"to":"DE"},{"to":"DE","to":"CN"}]}')).toThrow(/"transactions\[\]\.to" twice/);
    // Compared decoded: an escape spells the same key.
    expect(() => parseJsonExact('{"to":"DE","\\u0074o":"CN"}')).toThrow(/"to" twice/);
    // The same key in sibling objects, array elements, or inside strings is not a duplicate.
    expect(parseJsonExact('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseJsonExact('{"a":{"b":1},"c":{"b":2},"d":"\\"b\\":1,\\"b\\":2"}')).toEqual({ a: { b: 1 }, c: { b: 2 }, d: '"b":1,"b":2' });
  });

  it('throws JSON.parse\'s SyntaxError on malformed JSON, with positions in the text as given', () => {
    for (const doc of [`[${BIG}, x]`, `{${BIG}: 1}`, `[${BIG}`, '{"to": "DE",', '', ' ', `[01${BIG}]`, `["abc ,${BIG}]`, `[+${BIG}]`, `[1.${BIG}.5]`, `[1.e${BIG}]`, '[1e400,]']) {
      expect(() => parseJsonExact(doc), doc).toThrow(SyntaxError);
      expect(() => parseJsonExact(doc), doc).toThrow(jsonParseError(doc));
    }
  });

  it('is malformed exactly when JSON.parse says so (quoting numbers never mends a text)', () => {
    const token = fc.constantFrom('[', ']', '{', '}', ',', ':', '"', '\\', ' ', BIG, `-${BIG}`, '1', '0', '-', 'e', '.', '"k"', '1e400', 'true', 'null');
    fc.assert(fc.property(fc.array(token, { maxLength: 12 }), (tokens) => {
      const doc = tokens.join('');
      let ok = true;
      try {
        JSON.parse(doc);
      } catch {
        ok = false;
      }
      if (ok) expect(() => parseJsonExact(doc), doc).not.toThrow();
      else expect(() => parseJsonExact(doc), doc).toThrow(jsonParseError(doc));
    }), { numRuns: 2000 });
  });

  it('ignores a leading byte order mark, as Fastify does', () => {
    expect(parseJsonExact(`\ufeff{"n":${BIG}}`)).toEqual({ n: BIG });
    expect(parseJsonExact('\ufeff[1]')).toEqual([1]);
  });
});

describe('bin/aidr check reads training operations exactly', () => {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'aidr');
  const weights = (ops: string) =>
    `{"id":"W-1","date":"2025-06-02","to":"DE","item":{"type":"model_weights","trainingOperations":${ops},"published":false},` +
    `"consignee":{"country":"DE","headquarters":"US","ultimateParentHeadquarters":"US"}}`;
  const check = (input: string) => spawnSync(bin, ['check', '-'], { input, encoding: 'utf8' });

  it('10^26 − 1 as a JSON number is below the 4E091 threshold; 10^26 meets it', () => {
    const below = check(weights(BIG));
    expect(below.status, below.stderr).toBe(0);
    expect(JSON.parse(below.stdout).classification).toMatchObject({ eccn: null, trainingOperations: '9.9999999999999999999999999e25' });
    const at = check(weights('100000000000000000000000000'));
    expect(at.status, at.stderr).toBe(0);
    expect(JSON.parse(at.stdout).classification.eccn).toBe('4E091');
  });

  it('a plain-number field given a number no double holds is refused with its path', () => {
    const r = check(`{"date":"2025-06-02","to":"DE","item":{"type":"ic","model":"nvidia-h100-sxm"},"quantity":10000000000000000001}`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('quantity');
  });
});
