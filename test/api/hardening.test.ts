/**
 * Input and resource limits, idempotency with one meaning, readiness and DNS rebinding, through
 * the HTTP service (issue 10, items 4, 5, 6 and 7). Each case failed before the change that made
 * it pass: an unauthenticated 3 GiB body was read to its end, failed authentication was never
 * limited, invalid UTF-8 was stored as U+FFFD, "1e99999999999999999" became Infinity, 90,000
 * unknown keys made a 1.4 MB error, a reservation's key could be reused by a commit, `/readyz`
 * said 200 on a damaged file, and any Host or Origin was served without authentication.
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { openSync, writeSync, closeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { toProblem } from '../../src/api/server.js';
import { BACKENDS } from '../store/backends.js';
import { aidrCli, bearer, GERMANY, lppTx, testServer, type TestServer } from './helpers.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const post = (t: TestServer, url: string, payload: unknown, headers: Record<string, string> = bearer(t.keys.officer)) =>
  t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload) });

describe('input and resource limits', () => {
  it('refuses an unauthenticated request before reading its body: a 3 GiB upload ends after a few MiB with 401', async () => {
    s = await testServer('sqlite');
    const url = new URL(await s.app.listen({ host: '127.0.0.1', port: 0 }));
    const started = Date.now();
    let sent = 0;
    let answer = '';
    await new Promise<void>((resolve) => {
      const sock = connect(Number(url.port), '127.0.0.1', () => {
        sock.write(`POST /v1/determinations HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${3 * 1024 ** 3}\r\n\r\n`);
        const chunk = Buffer.alloc(1 << 20, 0x20);
        const pump = () => {
          while (!sock.destroyed && sent < 3 * 1024 ** 3) {
            sent += chunk.length;
            if (!sock.write(chunk)) return void sock.once('drain', pump);
          }
        };
        pump();
      });
      sock.on('data', (d) => (answer += d));
      sock.on('error', () => {});
      sock.on('close', () => resolve());
      setTimeout(() => sock.destroy(), 20_000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer).toMatch(/connection: close/i);
    expect(sent).toBeLessThan(256 * 1024 ** 2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('limits failed authentication per client address (429 with Retry-After); a key verified before still works', async () => {
    s = await testServer('sqlite', { limits: { authFailureLimit: { perMinute: 60, burst: 5 } } });
    const t = s;
    expect((await t.app.inject({ method: 'GET', url: '/v1/chips', headers: bearer(t.keys.viewer) })).statusCode).toBe(200);
    const wrong = { authorization: `Bearer aidr_0123456789abcdef_${'x'.repeat(43)}` };
    for (let i = 0; i < 5; i++) expect((await t.app.inject({ method: 'GET', url: '/v1/chips', headers: wrong })).statusCode).toBe(401);
    const limited = await t.app.inject({ method: 'GET', url: '/v1/chips', headers: wrong });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.json()).toMatchObject({ type: 'urn:aidr:problem:rate-limited', detail: expect.stringMatching(/failed authentications/) });
    // No key at all counts as a failure too, and is limited alike.
    expect((await t.app.inject({ method: 'GET', url: '/v1/chips' })).statusCode).toBe(429);
    // A key this process verified recently is still served from that address.
    expect((await t.app.inject({ method: 'GET', url: '/v1/chips', headers: bearer(t.keys.viewer) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('a client that aborts its upload is not a database outage; a database connection reset still is (red team, 2026-12-06)', () => {
    expect(toProblem(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })).slug).toBe('malformed-request');
    expect(toProblem(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).slug).toBe('unavailable');
  });

  it('refuses invalid UTF-8 with 400 naming the byte offset, and stores nothing', async () => {
    s = await testServer('sqlite');
    const body = Buffer.concat([Buffer.from('{"transaction":{"id":"PO-'), Buffer.from([0xff, 0xfe]), Buffer.from(`","to":"DE","item":{"type":"ic","model":"nvidia-h100-sxm"}},"commit":true}`)]);
    const r = await post(s, '/v1/determinations', body);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ type: 'urn:aidr:problem:malformed-request', detail: expect.stringMatching(/not valid UTF-8: an invalid byte sequence at byte offset 25/) });
    // An overlong form and a lone surrogate encoded in UTF-8 are invalid too.
    for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      expect((await post(s, '/v1/determinations', Buffer.concat([Buffer.from('{"to":"'), Buffer.from(bad), Buffer.from('"}')]))).statusCode).toBe(400);
    }
    expect(Number((await s.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
    // A body declared in another charset is refused, not read as UTF-8 (red team, 2026-12-06).
    const latin1 = await s.app.inject({ method: 'POST', url: '/v1/determinations', headers: { ...bearer(s.keys.analyst), 'content-type': 'application/json; charset=latin1' }, payload: JSON.stringify(GERMANY) });
    expect(latin1.statusCode).toBe(400);
    expect(latin1.json().detail).toMatch(/declared as charset latin1: send JSON as UTF-8/);
    const utf8 = await s.app.inject({ method: 'POST', url: '/v1/determinations', headers: { ...bearer(s.keys.analyst), 'content-type': 'application/json; charset=UTF-8' }, payload: JSON.stringify(GERMANY) });
    expect(utf8.statusCode).toBe(200);
    // A gzip body is read whatever the case of its content coding (RFC 9110 §8.4.1; red team, 2026-12-06).
    for (const coding of ['gzip', 'GZIP', 'Gzip']) {
      const zipped = await s.app.inject({ method: 'POST', url: '/v1/determinations', headers: { ...bearer(s.keys.analyst), 'content-type': 'application/json', 'content-encoding': coding }, payload: gzipSync(JSON.stringify(GERMANY)) });
      expect(zipped.statusCode, `${coding}: ${zipped.body}`).toBe(200);
    }
    // A key given twice is refused, not read as its last value (red team, 2026-12-06): nothing is committed.
    const twice = await post(s, '/v1/determinations', Buffer.from('{"transaction":{"id":"D-1","to":"DE","item":{"type":"ic","model":"nvidia-h100-sxm"},"quantity":1,"quantity":5000},"commit":true}'), bearer(s.keys.officer));
    expect(twice.statusCode).toBe(400);
    expect(twice.json().detail).toMatch(/the key "transaction\.quantity" twice in one object/);
    expect(Number((await s.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
    // Valid multi-byte UTF-8 is read as it is.
    const ok = await post(s, '/v1/determinations', { ...GERMANY, consignee: { ...GERMANY.consignee, name: 'Rechenzentrum Köln – 計算' } }, bearer(s.keys.analyst));
    expect(ok.statusCode).toBe(200);
  });

  it('the command line refuses a file that is not UTF-8 (exit 2, the byte offset), and a figure beyond the exact range', () => {
    const bad = aidrCli({}, ['check', '-'], Buffer.concat([Buffer.from('{"to":"DE","id":"'), Buffer.from([0xff]), Buffer.from('"}')]));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^aidr: invalid input: .*not valid UTF-8: an invalid byte sequence at byte offset 17/);
    const range = aidrCli({}, ['check', '-'], JSON.stringify({ to: 'AE', item: { type: 'model_weights', trainingOperations: '1e99999999999999999' } }));
    expect(range.status).toBe(2);
    expect(range.stderr).toMatch(/item\.trainingOperations: beyond the range read exactly/);
  });

  it('refuses a figure beyond the exact range with its path (never Infinity), and multiplies 6·N·D exactly', async () => {
    s = await testServer('sqlite');
    const weights = (item: Record<string, unknown>) => ({ to: 'AE', item: { type: 'model_weights', published: false, ...item }, consignee: { country: 'AE', headquarters: 'US', ultimateParentHeadquarters: 'US' } });
    for (const ops of ['1e99999999999999999', '1e1001', '1'.repeat(1001)]) {
      const r = await post(s, '/v1/determinations', weights({ trainingOperations: ops }), bearer(s.keys.analyst));
      expect(r.statusCode, ops.slice(0, 20)).toBe(400);
      expect(r.json().errors[0]).toMatchObject({ path: 'body.item.trainingOperations', message: expect.stringMatching(/beyond the range read exactly/) });
    }
    // 6 · N · D with 40-digit N and D: 81 digits, all of them kept (60 would round).
    const n = '1234567890123456789012345678901234567890';
    const d = '9876543210987654321098765432109876543211';
    const r = await post(s, '/v1/determinations', weights({ parameters: n, trainingTokens: d }), bearer(s.keys.analyst));
    expect(r.statusCode).toBe(200);
    const exact = (6n * BigInt(n) * BigInt(d)).toString();
    const basis = JSON.stringify(r.json().classification);
    expect(basis).toContain(`${exact.slice(0, 1)}.${exact.slice(1).replace(/0+$/, '')}e${exact.length - 1}`);
  });

  it('bounds the size of an error: 90,000 unknown keys make a small answer that says how many there are', async () => {
    s = await testServer('sqlite');
    const tx: Record<string, unknown> = { ...GERMANY };
    for (let i = 0; i < 90_000; i++) tx[`k${i}`] = 1;
    const r = await post(s, '/v1/determinations', tx, bearer(s.keys.analyst));
    expect(r.statusCode).toBe(400);
    expect(r.body.length).toBeLessThan(4096);
    expect(r.json().errors[0].message).toMatch(/unknown fields: k0, k1, .* and 89990 more/);
    // Deep nesting: the path is cut, not 3,000 levels long.
    let deep: unknown = 1;
    for (let i = 0; i < 3000; i++) deep = [deep];
    const d = await post(s, '/v1/determinations', { ...GERMANY, endUses: deep }, bearer(s.keys.analyst));
    expect(d.statusCode).toBe(400);
    expect(d.body.length).toBeLessThan(4096);
    // Twenty errors at most across a batch, and the rest counted.
    const batch = Array.from({ length: 50 }, () => ({ ...GERMANY, to: 'XX' }));
    const b = await post(s, '/v1/determinations', batch, bearer(s.keys.analyst));
    expect(b.json().errors).toHaveLength(20);
    expect(b.json()).toMatchObject({ omitted: 30, detail: expect.stringMatching(/\(and 49 more\)/) });
  });

  it('limits what a commit records (413 naming the transaction), and records nothing', async () => {
    s = await testServer('sqlite', { limits: { maxRecordedInputBytes: 400 } });
    const big = lppTx(1, 'size', { consignee: { id: 'c', ultimateParentId: 'size', name: 'n'.repeat(400), country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' } });
    const r = await post(s, '/v1/determinations', { transactions: [lppTx(2, 'size'), big], commit: true });
    expect(r.statusCode, r.body).toBe(413);
    expect(r.json()).toMatchObject({ type: 'urn:aidr:problem:too-large', maxRecordedInputBytes: 400, errors: [{ path: 'body.transactions[1]' }] });
    expect(Number((await s.store.db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
  });
});

describe.each(BACKENDS)('idempotency keys with one meaning: $name', ({ name, skip }) => {
  it.skipIf(skip)('a key belongs to one kind of operation, with its parameters; anything different is 409 saying what', async () => {
    s = await testServer(name);
    const t = s;
    const reserve = (body: Record<string, unknown>) => post(t, '/v1/ledger/reserve', { account: 'lpp:2025:ultimate_parent:idem', tpp: 1000, date: '2025-06-02', idempotencyKey: 'ord-1', ...body });
    expect((await reserve({ ttlSeconds: 3600, ref: 'PO-1' })).statusCode).toBe(201);
    expect((await reserve({ ttlSeconds: 3600, ref: 'PO-1' })).statusCode).toBe(200);
    for (const [change, differs] of [[{ ttlSeconds: 7200, ref: 'PO-1' }, /ttlSeconds differs/], [{ ttlSeconds: 3600, ref: 'PO-2' }, /ref differs/], [{ ttlSeconds: 3600, ref: 'PO-1', tpp: 2000 }, /tpp differs/], [{ ref: 'PO-1' }, /ttlSeconds differs/]] as const) {
      const r = await reserve(change);
      expect(r.statusCode, JSON.stringify(change)).toBe(409);
      expect(r.json()).toMatchObject({ type: 'urn:aidr:problem:idempotency-conflict', detail: expect.stringMatching(differs) });
    }
    // The reservation's key cannot be reused by a commit, nor a commit's by a reservation.
    const commit = await post(t, '/v1/determinations', { transaction: lppTx(1, 'idem-c'), commit: true, idempotencyKey: 'ord-1' });
    expect(commit.statusCode).toBe(409);
    expect(commit.json().detail).toMatch(/used for a reservation, and this is a commit/);
    expect((await post(t, '/v1/determinations', { transaction: lppTx(2, 'idem-c'), commit: true, idempotencyKey: 'ord-2' })).statusCode).toBe(201);
    const again = await post(t, '/v1/determinations', { transaction: lppTx(3, 'idem-c'), commit: true, idempotencyKey: 'ord-2' });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/transaction differs/);
    const asReservation = await post(t, '/v1/ledger/reserve', { account: 'aia:x', tpp: 1, idempotencyKey: 'ord-2' });
    expect(asReservation.json().detail).toMatch(/used for a commit, and this is a reservation/);
  });
});

describe('readiness', () => {
  it('/readyz reads the store for real: a damaged SQLite file answers 503 with the reason', async () => {
    s = await testServer('sqlite');
    expect((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    // The process's own connection still answers "select 1" from memory; the file (its pages moved
    // out of the write-ahead log first) is no longer a database.
    const { sql } = await import('kysely');
    await sql`pragma wal_checkpoint(truncate)`.execute(s.store.db);
    const fd = openSync(s.store.location, 'r+');
    writeSync(fd, Buffer.from('this is not sqlite'), 0, 16, 0);
    closeSync(fd);
    const r = await s.app.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBeDefined();
    expect(r.json()).toMatchObject({ type: 'urn:aidr:problem:unavailable', detail: expect.stringMatching(/not ready: .*not a database/) });
  });
});

describe('loopback without authentication is for this machine only (DNS rebinding)', () => {
  it('refuses a foreign Host or Origin without a key, on every route, and serves loopback names', async () => {
    s = await testServer('sqlite', { auth: { required: false } });
    const t = s;
    const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'app.localhost', '127.0.0.2']) {
      expect((await get('/v1/chips', { host })).statusCode, host).toBe(200);
    }
    for (const [url, headers] of [
      ['/v1/chips', { host: 'evil.example:8080' }], ['/healthz', { host: 'attacker.test' }], ['/no/such/route', { host: '10.0.0.5' }],
      ['/v1/chips', { host: 'localhost', origin: 'http://evil.example' }], ['/v1/chips', { host: 'localhost', origin: 'null' }],
    ] as const) {
      const r = await get(url, headers);
      expect(r.statusCode, JSON.stringify(headers)).toBe(403);
      expect(r.json()).toMatchObject({ type: 'urn:aidr:problem:forbidden', detail: expect.stringMatching(/this machine only/) });
    }
    const write = await t.app.inject({ method: 'POST', url: '/v1/determinations', headers: { host: 'localhost', origin: 'https://evil.example', 'content-type': 'application/json' }, payload: { transaction: lppTx(1, 'rebind'), commit: true } });
    expect(write.statusCode).toBe(403);
    expect((await get('/v1/chips', { host: 'localhost', origin: 'http://localhost:3000' })).statusCode).toBe(200);
  });

  it('with authentication on, any Host is served (the key is what counts)', async () => {
    s = await testServer('sqlite');
    expect((await s.app.inject({ method: 'GET', url: '/v1/chips', headers: { host: 'aidr.example.com', ...bearer(s.keys.viewer) } })).statusCode).toBe(200);
  });
});
