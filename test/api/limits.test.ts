/**
 * Limits and logs: per-key rate limit (429 with Retry-After, keys limited separately), body size
 * and batch length from configuration, the request timeout handed to Node, and structured request
 * logs that name the key id and never carry the key.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback, limitsFromEnv } from '../../src/api/config.js';
import { RateLimiter } from '../../src/api/rate-limit.js';
import { bearer, GERMANY, testServer, type TestServer } from './helpers.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('limits', () => {
  it('rate-limits per key: 429 with Retry-After once the burst is spent; another key is unaffected', async () => {
    s = await testServer('sqlite', { limits: { rateLimit: { perMinute: 60, burst: 3 } } });
    const get = (token: string) => s!.app.inject({ method: 'GET', url: '/v1/chips', headers: bearer(token) });
    for (let i = 0; i < 3; i++) expect((await get(s.keys.viewer)).statusCode).toBe(200);
    const limited = await get(s.keys.viewer);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.json()).toMatchObject({ type: 'urn:aidr:problem:rate-limited', status: 429 });
    expect((await get(s.keys.analyst)).statusCode).toBe(200);
    // Health checks are never limited.
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('the token bucket refills at the configured pace', () => {
    let now = 0;
    const r = new RateLimiter({ perMinute: 60, burst: 2 }, () => now);
    expect([r.take('a'), r.take('a')]).toEqual([0, 0]);
    expect(r.take('a')).toBe(1);
    now += 1000;
    expect(r.take('a')).toBe(0);
    expect(r.take('a')).toBeGreaterThan(0);
    expect(r.take('b')).toBe(0);
  });

  it('body size and batch length come from configuration', async () => {
    s = await testServer('sqlite', { limits: { bodyLimitBytes: 2048, maxBatch: 3 } });
    const post = (payload: unknown) => s!.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s!.keys.analyst), payload: payload as object });
    const big = await post({ ...GERMANY, id: 'x'.repeat(3000) });
    expect(big.statusCode).toBe(413);
    expect(big.json().type).toBe('urn:aidr:problem:too-large');
    const four = await post([GERMANY, GERMANY, GERMANY, GERMANY].map((t) => ({ ...t, endUses: undefined, consignee: undefined })));
    expect(four.statusCode).toBe(413);
    expect(four.json()).toMatchObject({ maxBatch: 3 });
    expect((await post([GERMANY, GERMANY, GERMANY].map((t) => ({ ...t, consignee: undefined })))).statusCode).toBe(200);
  });

  it('hands the request timeout to Node\'s HTTP server', async () => {
    s = await testServer('sqlite', { limits: { requestTimeoutMs: 1234 } });
    expect(s.app.server.requestTimeout).toBe(1234);
  });

  it('answers a stalled upload with 408 within a second or two of the timeout, not Node\'s 30 s check interval', async () => {
    s = await testServer('sqlite', { limits: { requestTimeoutMs: 1000 } });
    const url = new URL(await s.app.listen({ host: '127.0.0.1', port: 0 }));
    const { connect } = await import('node:net');
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      let got = '';
      const sock = connect(Number(url.port), '127.0.0.1', () => {
        // Headers promise a body that never comes.
        sock.write(`POST /v1/determinations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${Object.entries(bearer(s!.keys.analyst)).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\nContent-Length: 100\r\n\r\n{"to"`);
      });
      sock.on('data', (d) => (got += d));
      sock.on('close', () => resolve(got));
      setTimeout(() => sock.destroy(), 10_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reads limits from the environment and knows loopback', () => {
    expect(limitsFromEnv({ AIDR_BODY_LIMIT: '100', AIDR_MAX_BATCH: '7', AIDR_RATE_LIMIT: '30' })).toMatchObject({ bodyLimitBytes: 100, maxBatch: 7, rateLimit: { perMinute: 30 } });
    expect(() => limitsFromEnv({ AIDR_BODY_LIMIT: 'lots' })).toThrow(/AIDR_BODY_LIMIT/);
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) expect(isLoopback(h), h).toBe(false);
  });
});

describe('request logs', () => {
  it('carry the key id, route and status, never the key or the Authorization header', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } });
    const logger = pino({ level: 'info', redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' } }, sink);
    s = await testServer('sqlite', { logger });
    await s.app.inject({ method: 'POST', url: '/v1/determinations', headers: bearer(s.keys.analyst), payload: GERMANY });
    await s.app.inject({ method: 'GET', url: '/v1/chips', headers: bearer(s.keys.revoked) });
    await s.app.inject({ method: 'GET', url: '/v1/chips', headers: { authorization: 'Bearer aidr_0123456789abcdef_nottherealsecretnottherealsecretnottherea' } });
    // A key misplaced in the URL is kept out of the log line too.
    await s.app.inject({ method: 'GET', url: `/v1/chips?token=${s.keys.viewer}&x=1`, headers: bearer(s.keys.viewer) });
    await s.app.inject({ method: 'GET', url: `/v1/determinations/${s.keys.viewer}`, headers: bearer(s.keys.viewer) });
    const logs = lines.map((l) => JSON.parse(l));
    const ok = logs.find((l) => l.msg === 'request' && l.route === '/v1/determinations');
    expect(ok).toMatchObject({ method: 'POST', status: 200, keyId: s.ids.analyst });
    expect(typeof ok.ms).toBe('number');
    expect(logs.filter((l) => l.msg === 'request' && l.status === 401)).toHaveLength(2);
    const all = lines.join('\n');
    for (const token of Object.values(s.keys)) {
      expect(all).not.toContain(token);
      // The secret is what follows aidr_<keyId>_ (base64url: it may itself contain '_').
      expect(all).not.toContain(token.slice(token.indexOf('_', 5) + 1).slice(0, 12));
    }
    expect(all).not.toContain('nottherealsecret');
    expect(all.toLowerCase()).not.toContain('authorization');
  });
});
