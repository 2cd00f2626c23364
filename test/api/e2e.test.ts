/**
 * The HTTP service end to end, over a real socket (listen on port 0), against both back ends
 * (SQLite in a temp dir; PostgreSQL in a throwaway schema when DATABASE_URL is set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/index.js';
import { verifyAudit } from '../../src/store/audit.js';
import { BACKENDS } from '../store/backends.js';
import { call, GERMANY, LPP_CAP, LPP_PER_SHIPMENT, lppAccount, lppTx, testServer, type TestServer } from './helpers.js';

describe.each(BACKENDS)('HTTP service over a socket: $name', ({ name, skip }) => {
  let s: TestServer;
  let base: string;
  beforeAll(async () => {
    if (skip) return;
    s = await testServer(name);
    base = await s.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    if (!skip) await s?.close();
  });

  it.skipIf(skip)('evaluates a bare Transaction exactly as the library does', async () => {
    const r = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: GERMANY });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.json).toEqual(JSON.parse(JSON.stringify(check(GERMANY))));
    expect(r.json.outcome).toBe('license_exception');
  });

  it.skipIf(skip)('evaluates an array in order, and the envelope with options (lean, asOf, interpretations)', async () => {
    const arr = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: [GERMANY, { ...GERMANY, id: 'second', to: 'CN', consignee: { ...GERMANY.consignee, country: 'CN' } }] });
    expect(arr.status).toBe(200);
    expect(arr.json.map((d: { id: string }) => d.id)).toEqual(['PO-4711', 'second']);
    expect(arr.json[1].outcome).toBe('license_required');

    const lean = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: { transaction: GERMANY, options: { explain: false } } });
    expect(lean.status).toBe(200);
    expect(lean.json.explanation).toBeUndefined();
    expect(lean.json.outcome).toBe('license_exception');
    expect(lean.text.length).toBeLessThan(JSON.stringify(check(GERMANY)).length);

    const dated = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: { transactions: [GERMANY], options: { asOf: '2024-12-01' } } });
    expect(dated.status).toBe(200);
    expect(dated.json[0].ruleset).toMatchObject({ asOf: '2024-12-01', inForce: false });

    const reading = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: { transaction: lppTx(1), options: { interpretations: { 'INT-6': 'available' } } } });
    expect(reading.status).toBe(200);
  });

  it.skipIf(skip)('names the field path of bad input (400), and tells 422 from 400', async () => {
    const bad = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: [GERMANY, { ...GERMANY, consignee: { country: 'QQ' } }] });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bad.json).toMatchObject({ type: 'urn:aidr:problem:validation', status: 400, instance: '/v1/determinations' });
    expect(bad.json.errors[0]).toEqual({ path: 'body[1].consignee.country', message: 'not an ISO 3166-1 alpha-2 country code' });

    const envelope = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: { transactions: [GERMANY, { ...GERMANY, quantity: -1 }] } });
    expect(envelope.json.errors[0].path).toBe('body.transactions[1].quantity');

    const unknown = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: { ...GERMANY, colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0]).toEqual({ path: 'body.colour', message: 'unknown field: colour' });

    const reading = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: { transaction: GERMANY, options: { interpretations: { 'INT-6': 'nonsense' } } } });
    expect(reading.status).toBe(422);
    expect(reading.json.errors[0].path).toBe('body.options.interpretations.INT-6');
    expect(reading.json.detail).toMatch(/unknown reading "nonsense"/);

    const badJson = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, raw: '{"to": "DE",', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(badJson.json.type).toBe('urn:aidr:problem:malformed-request');

    const text = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, raw: 'to=DE', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.json.type).toBe('urn:aidr:problem:unsupported-media-type');

    const huge = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, raw: JSON.stringify({ ...GERMANY, id: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(413);

    const many = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: Array.from({ length: 1001 }, () => ({ to: 'DE', item: { type: 'ic', tpp: 5000 } })) });
    expect(many.status).toBe(413);
    expect(many.json.detail).toMatch(/at most 1000/);

    const missing = await call(base, 'GET', '/v1/nothing-here', { token: s.keys.viewer });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ type: 'urn:aidr:problem:not-found', status: 404, instance: '/v1/nothing-here' });

    // A known path asked with the wrong method: 405 and what it answers, not 404.
    const wrong = await call(base, 'PUT', '/v1/determinations', { token: s.keys.analyst, body: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(wrong.json).toMatchObject({ type: 'urn:aidr:problem:method-not-allowed', status: 405, allow: ['GET', 'HEAD', 'POST'] });
    const wrongParam = await call(base, 'DELETE', '/v1/ledger/accounts/aia%3Ax', { token: s.keys.officer });
    expect(wrongParam.status).toBe(405);
    expect(wrongParam.headers.get('allow')).toBe('GET, HEAD');
  });

  it.skipIf(skip)('classifies an item without a destination', async () => {
    const r = await call(base, 'POST', '/v1/classifications', { token: s.keys.analyst, body: { item: { type: 'computer', ics: [{ model: 'nvidia-h100-sxm', count: 8 }] }, quantity: 2 } });
    expect(r.status).toBe(200);
    expect(r.json.classification).toMatchObject({ eccn: '4A090.a', tppPerUnit: 8 * 15832, aggregateTpp: 2 * 8 * 15832 });
    const bad = await call(base, 'POST', '/v1/classifications', { token: s.keys.analyst, body: { item: { type: 'ic', model: 'no-such-chip' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].path).toBe('body.item.model');
  });

  it.skipIf(skip)('commits: 201 with Location, the actor is the key id; replay is 200; a changed request under the key is 409', async () => {
    const body = { transaction: lppTx(100, 'commit-parent'), commit: true, idempotencyKey: 'order-100' };
    const r = await call(base, 'POST', '/v1/determinations', { token: s.keys.officer, body });
    expect(r.status).toBe(201);
    expect(r.json.commit).toMatchObject({ actor: s.ids.officer, exception: 'LPP', replayed: false });
    expect(r.headers.get('location')).toBe(`/v1/determinations/${r.json.commit.auditId}`);
    expect(r.json.commit.movements.find((m: { kind: string }) => m.kind === 'draw')).toMatchObject({ account: lppAccount('commit-parent'), amountTpp: String(LPP_PER_SHIPMENT), leftTpp: String(LPP_CAP - LPP_PER_SHIPMENT) });

    const again = await call(base, 'POST', '/v1/determinations', { token: s.keys.officer, body });
    expect(again.status).toBe(200);
    expect(again.json.commit).toMatchObject({ auditId: r.json.commit.auditId, replayed: true });
    // The determination is sent as the text it was recorded as (test/ledger/commit-keys.test.ts holds
    // that text to JSON.stringify's bytes): compact JSON, and the same on a replay.
    expect(r.text).toBe(JSON.stringify(r.json));
    expect(again.text.slice(0, again.text.indexOf(',"commit":'))).toBe(r.text.slice(0, r.text.indexOf(',"commit":')));

    const changed = await call(base, 'POST', '/v1/determinations', { token: s.keys.officer, body: { ...body, transaction: lppTx(100, 'commit-parent', { quantity: 2 }) } });
    expect(changed.status).toBe(409);
    expect(changed.json.type).toBe('urn:aidr:problem:idempotency-conflict');

    const rec = await call(base, 'GET', r.headers.get('location')!, { token: s.keys.viewer });
    expect(rec.status).toBe(200);
    expect(rec.json).toMatchObject({ id: r.json.commit.auditId, actor: s.ids.officer, kind: 'determination' });
    expect(rec.json.output.outcome).toBe('license_exception');
    expect(JSON.stringify(rec.json.output)).toBe(JSON.stringify(r.json.determination));
    const bySeq = await call(base, 'GET', `/v1/determinations/${rec.json.seq}`, { token: s.keys.viewer });
    expect(bySeq.json.id).toBe(rec.json.id);

    // An AIA commit without the consignee id the ledger keys on: the schema accepts it, the ledger cannot carry it out.
    const noId = await call(base, 'POST', '/v1/determinations', { token: s.keys.officer, body: { transaction: { ...GERMANY, consignee: { ...GERMANY.consignee, name: undefined } }, commit: true } });
    expect(noId.status).toBe(422);
    expect(noId.json.errors[0].path).toBe('body.transaction.consignee.id');
    const beforeBatch = await call(base, 'GET', '/v1/determinations?limit=1000', { token: s.keys.viewer });
    const halfKeyed = await call(base, 'POST', '/v1/determinations', { token: s.keys.officer, body: { transactions: [lppTx(101, 'commit-parent'), { ...GERMANY, consignee: { ...GERMANY.consignee, name: undefined } }], commit: true } });
    expect(halfKeyed.status).toBe(422);
    expect(halfKeyed.json.errors[0].path).toBe('body.transactions[1].consignee.id');
    // Refused whole: the first shipment was not committed either.
    expect((await call(base, 'GET', '/v1/determinations?limit=1000', { token: s.keys.viewer })).json.items).toHaveLength(beforeBatch.json.items.length);
    const withLedger = await call(base, 'POST', '/v1/determinations', { token: s.keys.officer, body: { transaction: GERMANY, commit: true, options: { ledger: { lppUsedTpp: 0 } } } });
    expect(withLedger.status).toBe(400);
    expect(withLedger.json.errors[0].path).toBe('body.options.ledger');
  });

  it.skipIf(skip)('refuses a commit over the LPP cap with 409 and the amount left; a batch reports refusals in place', async () => {
    const parent = 'cap-parent';
    const batch = Array.from({ length: 17 }, (_, i) => lppTx(200 + i, parent));
    const r = await call(base, 'POST', '/v1/determinations', { token: s.keys.officer, body: { transactions: batch, commit: true, exception: 'LPP' } });
    expect(r.status).toBe(200);
    expect(r.json.slice(0, 16).every((x: { commit?: unknown }) => x.commit)).toBe(true);
    const refused = r.json[16];
    expect(refused.id).toBe('PO-216');
    expect(refused.error).toMatchObject({ status: 409, type: 'urn:aidr:problem:cap-exceeded' });
    const left = LPP_CAP - 16 * LPP_PER_SHIPMENT;
    expect(refused.error.detail).toMatch(new RegExp(`${left}`));

    const single = await call(base, 'POST', '/v1/determinations', { token: s.keys.officer, body: { transaction: lppTx(300, parent), commit: true, exception: 'LPP' } });
    expect(single.status).toBe(409);
    expect(single.json.type).toBe('urn:aidr:problem:cap-exceeded');
    expect(single.json.leftTpp).toBe(String(left));

    const acct = await call(base, 'GET', `/v1/ledger/accounts/${encodeURIComponent(lppAccount(parent))}`, { token: s.keys.viewer });
    expect(acct.status).toBe(200);
    expect(acct.json).toMatchObject({ usedTpp: String(16 * LPP_PER_SHIPMENT), leftTpp: String(left) });
    const moves = await call(base, 'GET', `/v1/ledger/accounts/${encodeURIComponent(lppAccount(parent))}/movements?limit=5`, { token: s.keys.viewer });
    expect(moves.status).toBe(200);
    expect(moves.json).toHaveLength(5);
    expect(moves.json[0]).toMatchObject({ kind: 'draw', usedDeltaTpp: String(LPP_PER_SHIPMENT), actor: s.ids.officer });
    // Pages continue after the last seq: no movement missed or repeated.
    const next = await call(base, 'GET', `/v1/ledger/accounts/${encodeURIComponent(lppAccount(parent))}/movements?limit=5&after=${moves.json[4].seq}`, { token: s.keys.viewer });
    expect(next.json).toHaveLength(5);
    expect(BigInt(next.json[0].seq)).toBeGreaterThan(BigInt(moves.json[4].seq));
    const all = await call(base, 'GET', `/v1/ledger/accounts/${encodeURIComponent(lppAccount(parent))}/movements`, { token: s.keys.viewer });
    expect([...moves.json, ...next.json].map((m: { seq: string }) => m.seq)).toEqual(all.json.slice(0, 10).map((m: { seq: string }) => m.seq));
    expect((await call(base, 'GET', `/v1/ledger/accounts/${encodeURIComponent(lppAccount(parent))}/movements?after=x`, { token: s.keys.viewer })).status).toBe(400);
  });

  it.skipIf(skip)('lists the audit log with filters and a cursor, and verifies the chain', async () => {
    const all: { seq: number; actor: string; outcome: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(base, 'GET', `/v1/determinations?limit=5${cursor ? `&cursor=${cursor}` : ''}`, { token: s.keys.viewer });
      expect(page.status).toBe(200);
      expect(page.json.items.length).toBeLessThanOrEqual(5);
      all.push(...page.json.items);
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(all.length).toBeGreaterThanOrEqual(17);
    expect(all.map((x) => x.seq)).toEqual([...all.map((x) => x.seq)].sort((a, b) => a - b));
    expect(new Set(all.map((x) => x.seq)).size).toBe(all.length);

    const filtered = await call(base, 'GET', `/v1/determinations?outcome=license_exception&actor=${s.ids.officer}&limit=1000`, { token: s.keys.viewer });
    expect(filtered.json.items.length).toBe(all.filter((x) => x.outcome === 'license_exception' && x.actor === s.ids.officer).length);
    // An offset is an instant: 23:30 on the 1st at -01:00 is 00:30 UTC on the 2nd.
    const first = all[0]!;
    const at = new Date((await call(base, 'GET', `/v1/determinations/${first.seq}`, { token: s.keys.viewer })).json.at);
    const local = new Date(at.getTime() + 3_600_000).toISOString().replace('Z', '+01:00').replace(/\.\d{3}/, '');
    const since = await call(base, 'GET', `/v1/determinations?since=${encodeURIComponent(local)}&limit=1000`, { token: s.keys.viewer });
    expect(since.status).toBe(200);
    expect(since.json.items[0].seq).toBeGreaterThanOrEqual(first.seq);
    expect((await call(base, 'GET', '/v1/determinations?since=2025-02-30', { token: s.keys.viewer })).status).toBe(400);
    const none = await call(base, 'GET', '/v1/determinations?since=2999-01-01', { token: s.keys.viewer });
    expect(none.json).toEqual({ items: [], nextCursor: null });
    const badQ = await call(base, 'GET', '/v1/determinations?limit=zero&outcome=maybe', { token: s.keys.viewer });
    expect(badQ.status).toBe(400);
    expect(badQ.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.limit', 'query.outcome']);
    const badCursor = await call(base, 'GET', '/v1/determinations?cursor=nonsense', { token: s.keys.viewer });
    expect(badCursor.status).toBe(400);

    const v = await call(base, 'POST', '/v1/audit/verify', { token: s.keys.officer });
    expect(v.status).toBe(200);
    expect(v.json).toMatchObject({ ok: true, records: all.length });
    expect((await verifyAudit(s.store)).ok).toBe(true);
    const missing = await call(base, 'GET', '/v1/determinations/00000000-0000-0000-0000-000000000000', { token: s.keys.viewer });
    expect(missing.status).toBe(404);
  });

  it.skipIf(skip)('reserves, commits and releases on the ledger', async () => {
    const account = 'lpp:2025:ultimate_parent:reserve-parent';
    const r = await call(base, 'POST', '/v1/ledger/reserve', { token: s.keys.officer, body: { account, tpp: '1000000', date: '2025-06-02', idempotencyKey: 'res-1' } });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ account, state: 'reserved', amountTpp: '1000000' });
    const replay = await call(base, 'POST', '/v1/ledger/reserve', { token: s.keys.officer, body: { account, tpp: '1000000', date: '2025-06-02', idempotencyKey: 'res-1' } });
    expect(replay.status).toBe(200);
    expect(replay.json.reservationId).toBe(r.json.reservationId);
    const over = await call(base, 'POST', '/v1/ledger/reserve', { token: s.keys.officer, body: { account, tpp: '26000000', date: '2025-06-02' } });
    expect(over.status).toBe(409);
    expect(over.json).toMatchObject({ type: 'urn:aidr:problem:cap-exceeded', leftTpp: '25900000', account });
    const c = await call(base, 'POST', '/v1/ledger/commit', { token: s.keys.officer, body: { reservationId: r.json.reservationId } });
    expect(c.status).toBe(200);
    expect(c.json).toMatchObject({ state: 'committed', balance: { usedTpp: '1000000', reservedTpp: '0' } });
    const rel = await call(base, 'POST', '/v1/ledger/release', { token: s.keys.officer, body: { reservationId: r.json.reservationId } });
    expect(rel.status).toBe(409);
    const unknown = await call(base, 'POST', '/v1/ledger/commit', { token: s.keys.officer, body: { reservationId: 'nope' } });
    expect(unknown.status).toBe(404);
    const badAccount = await call(base, 'POST', '/v1/ledger/reserve', { token: s.keys.officer, body: { account: 'nonsense', tpp: 5 } });
    expect(badAccount.status).toBe(422);
    const badTpp = await call(base, 'POST', '/v1/ledger/reserve', { token: s.keys.officer, body: { account, tpp: 'lots' } });
    expect(badTpp.status).toBe(400);
    expect(badTpp.json.errors[0].path).toBe('body.tpp');
    const list = await call(base, 'GET', '/v1/ledger/accounts?kind=lpp', { token: s.keys.viewer });
    expect(list.json.map((a: { id: string }) => a.id)).toContain(account);
  });

  it.skipIf(skip)('answers VEU checks, the chip catalog, the ruleset, health, readiness and metrics', async () => {
    const veu = await call(base, 'POST', '/v1/veu/checks', { token: s.keys.analyst, body: { date: '2025-06-02', nveu: { country: 'IN', installedTpp: '1000' } } });
    expect(veu.status).toBe(200);
    expect(veu.json.nveu).toBeDefined();
    const badVeu = await call(base, 'POST', '/v1/veu/checks', { token: s.keys.analyst, body: { nveu: { country: 'ZZ', installedTpp: 1 } } });
    expect(badVeu.status).toBe(400);
    expect(badVeu.json.errors[0].path).toBe('body.nveu.country');

    const chips = await call(base, 'GET', '/v1/chips', { token: s.keys.viewer });
    expect(chips.json.find((c: { id: string }) => c.id === 'nvidia-h100-sxm')).toMatchObject({ tpp: 15832, eccn: '3A090.a' });
    const rs = await call(base, 'GET', '/v1/ruleset', { token: s.keys.viewer });
    expect(rs.json).toMatchObject({ id: 'ai-diffusion-2025', version: check(GERMANY).ruleset.version });
    expect(rs.json.interpretations.find((i: { id: string }) => i.id === 'INT-6').readings.length).toBeGreaterThan(1);

    expect((await call(base, 'GET', '/healthz')).json).toEqual({ status: 'ok' });
    expect((await call(base, 'GET', '/readyz')).json).toEqual({ status: 'ok', store: name });
    const m = await call(base, 'GET', '/metrics', { token: s.keys.viewer });
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/aidr_http_requests_total\{method="POST",route="\/v1\/determinations",status="200"\} \d+/);
    expect(m.text).toMatch(/aidr_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/determinations",status="200"\} \d+/);
    expect(m.text).toMatch(/aidr_determinations_total\{outcome="license_exception"\} \d+/);
    expect(m.text).toMatch(/aidr_ledger_commits_total\{result="recorded"\} \d+/);
    expect(m.text).toMatch(/aidr_cap_exceeded_total [1-9]/);
    expect(m.text).toMatch(/route="unmatched"/);
  });

  it.skipIf(skip)('serves an OpenAPI 3.1 document generated from the zod schemas', async () => {
    const r = await call(base, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json;
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/v1/determinations', '/v1/determinations/{id}', '/v1/classifications', '/v1/audit/verify', '/v1/ledger/accounts', '/v1/ledger/accounts/{id}',
      '/v1/ledger/accounts/{id}/movements', '/v1/ledger/reserve', '/v1/ledger/commit', '/v1/ledger/release', '/v1/veu/checks', '/v1/chips', '/v1/ruleset', '/v1/keys', '/v1/keys/{id}',
      '/healthz', '/readyz', '/metrics']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const tx = doc.components.schemas.TransactionInput;
    expect(tx.properties.activity.enum).toEqual(['export', 'reexport', 'transfer', 'deemed_export', 'deemed_reexport']);
    expect(tx.additionalProperties).toBe(false);
    expect(doc.components.schemas.Determination.properties.outcome.enum).toContain('license_exception');
    const post = doc.paths['/v1/determinations'].post;
    expect(JSON.stringify(post.requestBody)).toMatch(/TransactionInput/);
    expect(post.responses['409'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
    expect(post.responses['201'].headers.Location).toBeDefined();
    expect(Object.keys(doc.paths['/metrics'].get.responses['200'].content)[0]).toMatch(/^text\/plain/);
    expect(doc.components.securitySchemes.bearer.scheme).toBe('bearer');
    // Every $ref resolves inside the document (client generators refuse dangling ones).
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    const resolve = (ref: string) => ref.slice(2).split('/').map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~')).reduce<any>((node, key) => node?.[key], doc);
    expect(refs.filter((ref) => !ref.startsWith('#/') || resolve(ref) === undefined)).toEqual([]);
  });

  it.skipIf(skip)('manages keys: created token works at once, revoked token is refused at once', async () => {
    const created = await call(base, 'POST', '/v1/keys', { token: s.keys.admin, body: { role: 'viewer', name: 'dashboard' } });
    expect(created.status).toBe(201);
    expect(created.json.token).toMatch(/^aidr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect((await call(base, 'GET', '/v1/chips', { token: created.json.token })).status).toBe(200);
    const list = await call(base, 'GET', '/v1/keys', { token: s.keys.admin });
    const listed = list.json.find((k: { id: string }) => k.id === created.json.id);
    expect(listed).toMatchObject({ role: 'viewer', name: 'dashboard', revokedAt: null });
    expect(JSON.stringify(list.json)).not.toContain(created.json.token.slice(-20));
    const del = await call(base, 'DELETE', `/v1/keys/${created.json.id}`, { token: s.keys.admin });
    expect(del.status).toBe(200);
    expect(del.json.revokedBy).toBe(s.ids.admin);
    expect((await call(base, 'GET', '/v1/chips', { token: created.json.token })).status).toBe(401);
    expect((await call(base, 'DELETE', '/v1/keys/0123456789abcdef', { token: s.keys.admin })).status).toBe(404);
    const badRole = await call(base, 'POST', '/v1/keys', { token: s.keys.admin, body: { role: 'root' } });
    expect(badRole.status).toBe(400);
    expect(badRole.json.errors[0].path).toBe('body.role');
  });

  it.skipIf(skip)('strings a database refuses (NUL bytes) are 400 wherever they reach the store, never 500', async () => {
    const nul = '\u0000';
    const cases: [string, string, unknown][] = [
      ['GET', '/v1/ledger/accounts/a%00b', undefined],
      ['GET', '/v1/ledger/accounts/a%00b/movements', undefined],
      ['GET', '/v1/determinations/a%00b', undefined],
      ['GET', '/v1/determinations?actor=a%00b', undefined],
      ['GET', '/v1/ledger/accounts?key=a%00b', undefined],
      ['DELETE', '/v1/keys/a%00b', undefined],
      ['POST', '/v1/ledger/reserve', { account: 'lpp:2025:ultimate_parent:nul', tpp: 1, idempotencyKey: `k${nul}` }],
      ['POST', '/v1/ledger/reserve', { account: 'lpp:2025:ultimate_parent:nul', tpp: 1, ref: `r${nul}` }],
      ['POST', '/v1/ledger/commit', { reservationId: `x${nul}` }],
      ['POST', '/v1/keys', { role: 'viewer', name: `n${nul}` }],
      ['POST', '/v1/determinations', { transaction: lppTx(7000, 'nul', { id: `PO${nul}` }), commit: true }],
      ['POST', '/v1/determinations', { transaction: lppTx(7001, 'nul'), commit: true, idempotencyKey: `i${nul}` }],
    ];
    for (const [method, path, body] of cases) {
      const r = await call(base, method, path, { token: s.keys.admin, ...(body !== undefined ? { body } : {}) });
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}: ${r.text}`).toBe(400);
      expect(r.json.errors[0].message).toMatch(/NUL/);
    }
    // Evaluating (nothing stored) accepts them: the engine only echoes the id.
    const ok = await call(base, 'POST', '/v1/determinations', { token: s.keys.analyst, body: { ...GERMANY, id: `PO${nul}` } });
    expect(ok.status).toBe(200);
 
    // Unpaired surrogates (\ud800 written in JSON) are not Unicode: refused alike, never a 500, and
    // a batch with one is refused whole before anything is written.
    const lone = '\ud800';
    const before = (await call(base, 'POST', '/v1/audit/verify', { token: s.keys.viewer })).json.records;
    for (const [path, body] of [
      ['/v1/ledger/reserve', { account: `lpp:2025:ultimate_parent:x${lone}`, tpp: 1 }],
      ['/v1/determinations', { transaction: lppTx(7002, `c${lone}`), commit: true }],
      ['/v1/determinations', { transactions: [lppTx(7003, 'lone-ok'), lppTx(7004, `p${lone}`)], commit: true }],
    ] as const) {
      const r = await call(base, 'POST', path, { token: s.keys.admin, body });
      expect(r.status, `${path}: ${r.text}`).toBeLessThan(500);
      expect([400, 422], r.text).toContain(r.status);
      expect(r.json.errors[0].message).toMatch(/unpaired UTF-16 surrogates/);
    }
    expect((await call(base, 'POST', '/v1/audit/verify', { token: s.keys.viewer })).json.records).toBe(before);
  });
});
