/**
 * Property-based fuzzing of the running service with fast-check: 10,000 malformed or
 * adversarial requests through `inject` (wrong types, huge numbers, deep nesting, very long
 * strings, unknown countries and chips, wrong content types, invalid JSON, oversize bodies,
 * random paths and methods, bad and insufficient keys), then a sample over a real socket.
 *
 * Properties: no response is 5xx; every 4xx is a problem+json document whose status matches;
 * afterwards the ledger, the audit log and the API keys are exactly as before, and /healthz
 * answers 200. Callers with write roles only ever send bodies that cannot be valid (an unknown
 * field on a strict schema), so "the ledger is unchanged" is a real check, not a tautology:
 * one accepted write would change it.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../store/backends.js';
import { bearer, GERMANY, ledgerSnapshot, lppTx, testServer, type TestServer } from './helpers.js';

const BODY_LIMIT = 64 * 1024;
/** The full run on the embedded default; a shorter one on PostgreSQL, whose type checks differ (NUL bytes, integer ranges). */
const RUNS_BY_BACKEND = { sqlite: 10_000, postgres: 3_000 } as const;
const HTTP_RUNS = 400;

type Caller = 'none' | 'viewer' | 'analyst' | 'officer' | 'admin' | 'revoked' | 'garbage';

interface FuzzRequest {
  method: string;
  path: string;
  caller: Caller;
  contentType: string | undefined;
  /** A JSON value to send, or raw text. */
  body: { json: unknown } | { raw: string } | undefined;
}

// ---- values ------------------------------------------------------------------------------------

const deep = (n: number, leaf: unknown = 1): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

const adversarial: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null, true, false, 0, -1, -0, 1.5, 2 ** 53 + 1, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER,
    '', ' ', 'XX', 'ZZ', 'us', ' de ', 'D E', 'DEU', '🇩🇪', 'Ω', '\u0000', '\ud800', '__proto__', 'constructor',
    '1e26', '1e999999999', '-1e26', '1e-999999', 'NaN', 'Infinity', '0x10', '99999999999999999999999999999999999', '1.2.3', '+5', '.5e3',
    '2025-02-30', '2025-13-01', '0000-00-00', '9999-12-31', '2025-06-02T00:00:00Z',
    'nvidia-h100-sxm', 'no-such-chip', 'INT-6', 'INT-999', 'available', 'LPP', 'AIA', 'ZZZ',
    [], {}, [[]], [{}], { __proto__: { polluted: true } },
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.bigInt().map((b) => b.toString()),
  fc.integer({ min: 1, max: 3000 }).map((n) => deep(n)),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const TEMPLATES: Record<string, unknown>[] = [
  GERMANY,
  lppTx(1, 'fuzz-parent'),
  { to: 'AE', item: { type: 'model_weights', trainingOperations: '2e26', published: false }, consignee: { country: 'AE', headquarters: 'US', ultimateParentHeadquarters: 'US' } },
  { to: 'IN', item: { type: 'computer', ics: [{ model: 'nvidia-h100-sxm', count: 8 }] }, quantity: 4 },
  { item: { type: 'iaas_training', trainingOperations: '3e26' }, consignee: { country: 'CN' } },
  { activity: 'deemed_export', to: 'CN', item: { type: 'eccn', eccn: '4E091', trainingOperations: '1e27' }, facts: { permanentRegularEmployee: true } },
  { activity: 'reexport', from: 'SG', to: 'MY', item: { type: 'ic', tops: 1979, bitLength: 8, dieAreaMm2: 814, datacenter: true }, endUses: ['ai_training'], viaDistributor: true },
];

/** Replace, delete or add fields of a template at random paths (one or two levels deep). */
const mutated: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(...TEMPLATES), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('set', 'delete', 'add', 'nest')), { minLength: 1, maxLength: 4 }), fc.array(adversarial, { minLength: 4, maxLength: 4 }), fc.string({ maxLength: 12 }))
  .map(([template, edits, values, newKey]) => {
    const t = structuredClone(template) as Record<string, unknown>;
    edits.forEach(([a, b, op], i) => {
      const keys = Object.keys(t);
      const k = keys[a % keys.length]!;
      const child = t[k];
      if (op === 'nest' && child && typeof child === 'object' && !Array.isArray(child)) {
        const ck = Object.keys(child);
        if (ck.length) (child as Record<string, unknown>)[ck[b % ck.length]!] = values[i];
        return;
      }
      if (op === 'delete') delete t[k];
      else if (op === 'add') t[newKey || 'extra'] = values[i];
      else t[k] = values[i];
    });
    return t;
  });

const options: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ asOf: adversarial, explain: fc.oneof(fc.boolean(), adversarial), interpretations: fc.oneof(fc.dictionary(fc.constantFrom('INT-6', 'INT-7', 'INT-99', 'x'), adversarial), adversarial) }, { requiredKeys: [] }),
  fc.record({ ledger: fc.oneof(fc.record({ lppUsedTpp: adversarial, countryLicensedTpp: adversarial }, { requiredKeys: [] }), adversarial) }, { requiredKeys: [] }),
  adversarial,
);

const envelope: fc.Arbitrary<unknown> = fc.record({
  transaction: fc.oneof(mutated, adversarial, fc.constant(GERMANY)),
  transactions: fc.oneof(fc.array(fc.oneof(mutated, fc.constant(GERMANY)), { maxLength: 5 }), adversarial),
  options,
  commit: fc.oneof(fc.boolean(), adversarial),
  idempotencyKey: adversarial,
  exception: fc.oneof(fc.constantFrom('AIA', 'LPP', 'ACM', 'NAC', 'ACA'), adversarial),
}, { requiredKeys: [] });

const ledgerBody: fc.Arbitrary<unknown> = fc.record({
  account: fc.oneof(fc.constantFrom('lpp:2025:ultimate_parent:fuzz', 'aia:fuzz', 'country_allocation:DE', 'nveu:V:IN', 'uveu:V:IN', 'nonsense', 'lpp:9999:x:y'), adversarial),
  tpp: adversarial, date: adversarial, ttlSeconds: adversarial, idempotencyKey: adversarial, ref: adversarial, reservationId: adversarial,
}, { requiredKeys: [] });

const otherBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ item: fc.oneof(mutated.map((m) => (m as { item?: unknown }).item), adversarial), quantity: adversarial, options }, { requiredKeys: [] }),
  fc.record({ party: fc.oneof(fc.record({ country: adversarial, headquarters: adversarial, dataCenters: adversarial }, { requiredKeys: [] }), adversarial), uveu: adversarial, nveu: fc.oneof(fc.record({ country: adversarial, installedTpp: adversarial, proposedTpp: adversarial }, { requiredKeys: [] }), adversarial) }, { requiredKeys: [] }),
  fc.record({ role: fc.oneof(fc.constantFrom('viewer', 'admin', 'root'), adversarial), name: adversarial }, { requiredKeys: [] }),
  fc.record({ anchor: fc.oneof(fc.record({ seq: adversarial, hash: adversarial }), adversarial) }, { requiredKeys: [] }),
);

/** Well-formed requests that cannot be carried out as asked (422): readings, keys the ledger needs. */
const semantic: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ transaction: fc.constantFrom(...TEMPLATES), options: fc.record({ interpretations: fc.dictionary(fc.constantFrom('INT-6', 'INT-7', 'INT-99', 'INT-0'), fc.string({ maxLength: 20 }), { minKeys: 1 }) }) }),
  fc.record({ item: fc.constantFrom(...TEMPLATES.map((t) => t.item)), options: fc.record({ interpretations: fc.dictionary(fc.constantFrom('INT-1', 'INT-6', 'INT-404'), fc.string({ maxLength: 20 }), { minKeys: 1 }) }) }),
);

const rawBody: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '{', '{"to": "DE",', '[1,2', '{"a":1}}', 'null', 'true', '"just a string"', '1e400', '-0', '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}', '\ufeff{"to":"DE"}', '{"to":"DE","item":{"type":"ic","model":"nvidia-h100-sxm"}, "to":"CN"}',
    '[' + '{"to":"DE","item":{"type":"ic","tpp":5000}},'.repeat(1500) + '{}]',
  ),
  fc.integer({ min: 1, max: 30_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 10_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 1, max: 30_000 }).map((n) => '['.repeat(n)),
  fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 3 }).map((n) => `{"id":"${'y'.repeat(n)}"}`),
);

// ---- requests ----------------------------------------------------------------------------------

const ROUTE_PATHS = [
  '/v1/determinations', '/v1/classifications', '/v1/audit/verify', '/v1/ledger/reserve', '/v1/ledger/commit', '/v1/ledger/release',
  '/v1/veu/checks', '/v1/chips', '/v1/ruleset', '/v1/legal-status', '/v1/keys', '/openapi.json', '/metrics', '/readyz', '/v1/ledger/accounts',
];

const path: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...ROUTE_PATHS), weight: 6 },
  fc.tuple(fc.constantFrom('/v1/determinations/', '/v1/ledger/accounts/', '/v1/keys/'), fc.oneof(fc.webSegment(), fc.string({ maxLength: 30 }).map(encodeURIComponent), fc.constantFrom('1', '0', '-1', '99999999999999999999999', 'a%00b', '%00', '%', '%E0%A4%A', 'x'.repeat(600), '..%2F..%2Fetc', 'lpp%3A2025%3Aultimate_parent%3Afuzz')), fc.constantFrom('', '/movements', '/x'))
    .map(([a, b, c]) => a + b + c),
  fc.tuple(fc.constantFrom('/v1/determinations', '/v1/ledger/accounts', '/v1/ledger/accounts/a/movements'), fc.dictionary(fc.constantFrom('since', 'until', 'outcome', 'actor', 'kind', 'limit', 'cursor', 'key', 'x'), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('0', '-5', '1e9', '1e308', '2025-06-02', 'license_exception', 'c2VxOjE', '%ZZ', '\u0000'))))
    .map(([p, q]) => `${p}?${Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`),
  fc.webPath().map((p) => p || '/'),
  fc.constantFrom('/', '//', '/v1', '/v1/', '/v2/determinations', '/v1/determinations/', '/V1/CHIPS', '/v1/determinations?limit=', '/%', '/%00', '/v1/./chips'),
);

const caller = fc.constantFrom<Caller>('none', 'viewer', 'analyst', 'analyst', 'analyst', 'analyst', 'officer', 'officer', 'admin', 'revoked', 'garbage');
const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 8 },
  fc.constantFrom(undefined, 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
    'application/xml', 'application/problem+json', 'application/json; charset=latin1', '', '*/*', 'application/json, text/plain'),
);
const body = fc.oneof(
  fc.constant(undefined),
  { arbitrary: fc.oneof(mutated, envelope, ledgerBody, otherBody, adversarial, semantic, fc.array(mutated, { maxLength: 4 })).map((json) => ({ json })), weight: 8 },
  rawBody.map((raw) => ({ raw })),
);

/** A route with the method it answers, so that most requests get past routing to validation. */
const targeted: fc.Arbitrary<FuzzRequest> = fc.record({
  route: fc.constantFrom<[string, string | null]>(
    ['POST', '/v1/determinations'], ['POST', '/v1/determinations'], ['POST', '/v1/determinations'], ['POST', '/v1/classifications'], ['POST', '/v1/veu/checks'],
    ['POST', '/v1/audit/verify'], ['POST', '/v1/ledger/reserve'], ['POST', '/v1/ledger/commit'], ['POST', '/v1/ledger/release'], ['POST', '/v1/keys'],
    ['GET', null], ['DELETE', '/v1/keys/'],
  ),
  path,
  caller,
  contentType,
  body,
}).map(({ route: [method, fixed], path: p, ...rest }) => ({
  method,
  path: fixed === null ? p : fixed.endsWith('/') ? fixed + encodeURIComponent(p.slice(1, 40)) : fixed,
  ...rest,
}));

const anything: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
  path,
  caller,
  contentType,
  body,
});

const request: fc.Arbitrary<FuzzRequest> = fc.oneof({ arbitrary: targeted, weight: 7 }, { arbitrary: anything, weight: 3 });

/** Write-capable callers only ever send bodies that a strict schema must refuse. */
function poison(r: FuzzRequest): FuzzRequest {
  if ((r.caller === 'officer' || r.caller === 'admin') && r.body && 'json' in r.body) {
    const j = r.body.json;
    if (j !== null && typeof j === 'object' && !Array.isArray(j)) return { ...r, body: { json: { ...(j as object), __fuzz: 1 } } };
  }
  return r;
}

function tokenFor(s: TestServer, c: Caller): string | undefined {
  if (c === 'none') return undefined;
  if (c === 'garbage') return 'aidr_0123456789abcdef_' + 'Z'.repeat(43);
  return s.keys[c];
}

function payloadOf(r: FuzzRequest): string | undefined {
  if (!r.body) return undefined;
  return 'json' in r.body ? (JSON.stringify(r.body.json) ?? 'null') : r.body.raw;
}

function checkResponse(r: FuzzRequest, status: number, contentType: string | undefined, text: string): void {
  const label = `${r.method} ${r.path.slice(0, 120)} as ${r.caller} (${r.contentType}) → ${status}: ${text.slice(0, 300)}`;
  expect(status, label).toBeLessThan(500);
  if (status >= 400 && r.method !== 'HEAD') {
    expect(contentType, label).toMatch(/^application\/problem\+json/);
    const p = JSON.parse(text);
    expect(p.status, label).toBe(status);
    expect(typeof p.type === 'string' && typeof p.title === 'string' && typeof p.detail === 'string' && typeof p.instance === 'string', label).toBe(true);
  }
}

/** fc.assert, with the report cut short: a counterexample can be a megabyte of JSON. */
async function assertShort<T>(p: fc.IAsyncPropertyWithHooks<T>, params: fc.Parameters<T>): Promise<void> {
  try {
    await fc.assert(p, params);
  } catch (e) {
    const m = (e as Error).message;
    throw new Error(m.length > 4000 ? `${m.slice(0, 2000)} … ${m.slice(-2000)}` : m);
  }
}

/** The request's key (by the caller it plays) and content type, as headers. */
function headersFor(s: TestServer, r: { caller: Caller; contentType?: string }): Record<string, string> {
  const token = tokenFor(s, r.caller);
  const headers: Record<string, string> = { ...(token ? bearer(token) : {}) };
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  return headers;
}

describe.each(BACKENDS)('fuzzing the HTTP service: $name', ({ name, skip }) => {
  const RUNS = RUNS_BY_BACKEND[name];
  let s: TestServer;
  let before: string;
  let keysBefore: string;
  const statuses = new Map<number, number>();
  beforeAll(async () => {
    if (skip) return;
    s = await testServer(name, { limits: { bodyLimitBytes: BODY_LIMIT } });
    // A ledger and an audit log with something in them, so "unchanged" is not about empty tables.
    const seed = await s.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s.keys.officer), payload: { transaction: lppTx(1, 'fuzz-parent'), commit: true } });
    expect(seed.statusCode).toBe(201);
    before = await ledgerSnapshot(s.store);
    keysBefore = (await s.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(s.keys.admin) })).body;
  });
  afterAll(async () => {
    await s?.close();
  });

  it.skipIf(skip)(`${RUNS} adversarial requests through inject: never a 5xx, always a problem document`, async () => {
    const t0 = Date.now();
    await assertShort(
      fc.asyncProperty(request, async (raw) => {
        const r = poison(raw);
        const headers = headersFor(s, r);
        const payload = payloadOf(r);
        const res = await s.app.inject({ method: r.method as 'GET', url: r.path, headers, ...(payload !== undefined && r.method !== 'GET' && r.method !== 'HEAD' ? { payload } : {}) });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        checkResponse(r, res.statusCode, res.headers['content-type'] as string | undefined, res.body);
      }),
      { numRuns: RUNS, seed: Number(process.env.AIDR_FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    const seconds = (Date.now() - t0) / 1000;
    process.stdout.write(`fuzz (inject, ${name}): ${RUNS} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}\n`);
    // The generators reach the interesting answers, not only 401s and 404s.
    for (const st of [200, 400, 401, 403, 404, 413, 415, 422]) expect(statuses.get(st) ?? 0, `status ${st}`).toBeGreaterThan(0);
  }, 600_000);

  it.skipIf(skip)(`${HTTP_RUNS} of them over a real socket, plus malformed HTTP`, async () => {
    const base = new URL(await s.app.listen({ host: '127.0.0.1', port: 0 }));
    let sent = 0;
    await assertShort(
      fc.asyncProperty(request, async (raw) => {
        const r = poison(raw);
        const headers = headersFor(s, r);
        const payload = r.method === 'GET' || r.method === 'HEAD' ? undefined : payloadOf(r);
        const res = await new Promise<{ status: number; type: string | undefined; text: string } | undefined>((resolve, reject) => {
          let req;
          try {
            req = httpRequest({ host: base.hostname, port: base.port, method: r.method, path: r.path, headers }, (m) => {
              let text = '';
              m.setEncoding('utf8');
              m.on('data', (d) => (text += d));
              m.on('end', () => resolve({ status: m.statusCode!, type: m.headers['content-type'], text }));
            });
          } catch {
            // The client refuses to send it (e.g. characters not allowed in a request path).
            return resolve(undefined);
          }
          // The server may answer 413 and close before reading a large body.
          req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(undefined) : reject(e)));
          req.end(payload);
        });
        if (!res) return;
        sent++;
        checkResponse(r, res.status, res.type, res.text);
      }),
      { numRuns: HTTP_RUNS },
    );
    expect(sent).toBeGreaterThan(HTTP_RUNS * 0.8);

    // Malformed HTTP that no client library would send: Node's parser answers 400, never 5xx.
    for (const wire of [
      'GARBAGE\r\n\r\n',
      'POST /v1/determinations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}',
      'POST /v1/determinations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n',
      `GET /v1/chips HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      'GET /v1/chips HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0001\r\n\r\n',
    ]) {
      const answer = await new Promise<string>((resolve) => {
        const sock = connect(Number(base.port), base.hostname, () => sock.end(wire));
        let data = '';
        sock.on('data', (d) => (data += d));
        sock.on('close', () => resolve(data));
        sock.on('error', () => resolve(data));
      });
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      expect(status, JSON.stringify(wire.slice(0, 80))).toBeGreaterThanOrEqual(400);
      expect(status, JSON.stringify(wire.slice(0, 80))).toBeLessThan(500);
    }
  }, 600_000);

  it.skipIf(skip)('left the ledger, the audit log and the keys unchanged, and the service healthy', async () => {
    expect(await ledgerSnapshot(s.store)).toBe(before);
    expect((await s.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(s.keys.admin) })).body).toBe(keysBefore);
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const ok = await s.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s.keys.analyst), payload: GERMANY });
    expect(ok.statusCode).toBe(200);
    const m = (await s.app.inject({ method: 'GET', url: '/metrics', headers: bearer(s.keys.viewer) })).body;
    expect(m).not.toMatch(/status="5\d\d"/);
  });
});

/**
 * Commits that may be valid: an officer sends mutated transactions with commit: true (and random
 * exceptions, idempotency keys, batches) to a throwaway store. The ledger may change here; the
 * properties are that no answer is a 5xx and that afterwards the audit chain and every ledger
 * balance still verify.
 */
describe.each(BACKENDS)('fuzzing commits: $name', ({ name, skip }) => {
  const COMMITS = 400;
  let s: TestServer;
  beforeAll(async () => {
    if (!skip) s = await testServer(name);
  });
  afterAll(async () => {
    await s?.close();
  });

  it.skipIf(skip)(`${COMMITS} commit requests: never a 5xx; the audit log and the ledger verify afterwards`, async () => {
    const { verifyAudit } = await import('../../src/store/audit.js');
    const { verifyLedger } = await import('../../src/ledger/index.js');
    const commitBody = fc.record({
      transactions: fc.array(fc.oneof(mutated, fc.constantFrom(...TEMPLATES), fc.constant(lppTx(2, 'fuzz-commit'))), { minLength: 1, maxLength: 3 }),
      commit: fc.constant(true),
      exception: fc.constantFrom(undefined, 'AIA', 'LPP', 'ACM', 'NAC', 'ACA'),
      idempotencyKey: fc.constantFrom(undefined, 'k1', 'k2', 'k3'),
      options: fc.constantFrom(undefined, { asOf: '2025-06-02' }, { interpretations: { 'INT-7': 'owner' } }),
    }).map((b) => JSON.parse(JSON.stringify(b)));
    const statuses = new Map<number, number>();
    let committed = 0;
    await assertShort(
      fc.asyncProperty(commitBody, async (body) => {
        const res = await s.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s.keys.officer), payload: body });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, res.body.slice(0, 500)).toBeLessThan(500);
        if (res.statusCode === 200) {
          for (const item of res.json()) {
            if (item.error) expect(item.error.status).toBeLessThan(500);
            else if (!item.commit.replayed) committed++;
          }
        }
      }),
      { numRuns: COMMITS },
    );
    process.stdout.write(`fuzz (commits, ${name}): statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, ${committed} transactions committed\n`);
    expect(committed).toBeGreaterThan(0);
    expect((await verifyAudit(s.store)).ok).toBe(true);
    expect((await verifyLedger(s.store)).ok).toBe(true);
  }, 600_000);
});
