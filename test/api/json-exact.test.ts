/**
 * The HTTP service reads JSON numbers exactly (parseJsonExact as its application/json parser):
 * 10^26 − 1 training operations sent as a JSON number is below the 4E091 threshold. The parser
 * keeps Fastify's answers otherwise: empty body, malformed JSON and prototype keys are 400s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testServer, type TestServer } from './helpers.js';

const BIG = '99999999999999999999999999';
const weights = (ops: string) =>
  `{"id":"W-1","date":"2025-06-02","to":"DE","item":{"type":"model_weights","trainingOperations":${ops},"published":false},` +
  `"consignee":{"country":"DE","headquarters":"US","ultimateParentHeadquarters":"US"}}`;

describe('POST /v1/determinations reads numbers exactly', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer('sqlite');
  });
  afterAll(async () => {
    await s?.close();
  });
  const post = (payload: string, contentType = 'application/json') =>
    s.app.inject({ method: 'POST', url: '/v1/determinations', headers: { ...bearer(s.keys.analyst), 'content-type': contentType }, payload });

  it('10^26 − 1 as a JSON number is not 4E091; 10^26 is', async () => {
    const below = await post(weights(BIG));
    expect(below.statusCode, below.body).toBe(200);
    expect(below.json().classification).toMatchObject({ eccn: null, trainingOperations: '9.9999999999999999999999999e25' });
    const at = await post(weights('100000000000000000000000000'), 'application/json; charset=utf-8');
    expect(at.statusCode, at.body).toBe(200);
    expect(at.json().classification.eccn).toBe('4E091');
    const envelope = await post(`{"transactions":[${weights(BIG)},${weights('1.0000000000000000001e26')}]}`);
    expect(envelope.statusCode, envelope.body).toBe(200);
    expect(envelope.json().map((d: { classification: { eccn: string | null } }) => d.classification.eccn)).toEqual([null, '4E091']);
  });

  it('a plain-number field given a number no double holds is a 400 naming the field', async () => {
    const r = await post('{"date":"2025-06-02","to":"DE","item":{"type":"ic","model":"nvidia-h100-sxm"},"quantity":10000000000000000001}');
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json().errors.map((e: { path: string }) => e.path)).toContain('body.quantity');
  });

  it('empty, malformed and prototype-polluting bodies are still 400 problems', async () => {
    const empty = await post('');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ type: 'urn:aidr:problem:malformed-request', status: 400, detail: 'the body is empty; send a JSON document' });
    for (const body of ['{"to": "DE",', `[${BIG},]`, '{"__proto__":{"polluted":1}}', `{"a":${BIG},"constructor":{"prototype":{}}}`, '{"to":"DE"}}']) {
      const r = await post(body);
      expect(r.statusCode, body).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.json(), body).toMatchObject({ type: 'urn:aidr:problem:malformed-request', status: 400 });
      expect(r.json().detail, body).toMatch(/^the body is not valid JSON or not acceptable: /);
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
