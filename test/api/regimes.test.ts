/**
 * The regime over HTTP (?regime= and options.regime on POST /v1/determinations, /v1/what-if and
 * screening jobs; a bad or contradicting value is a 400 naming its field), and audit replay's
 * account of a record: the vintage and regime it was decided under, and today's answer per regime.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTransaction } from '../../src/contract/parse.js';
import { commitTransaction } from '../../src/ledger/commit.js';
import { replayAudit } from '../../src/ledger/replay.js';
import { appendAudit } from '../../src/store/audit.js';
import { today } from '../../src/engine/determine.js';
import { vintageOn } from '../../src/data/regimes.js';
import { bearer, GERMANY, lppTx, testServer, type TestServer } from './helpers.js';

describe('regimes over HTTP (sqlite)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer('sqlite');
  });
  afterAll(async () => {
    await s?.close();
  });
  const post = (url: string, payload: unknown) => s.app.inject({ method: 'POST', url, headers: bearer(s.keys.analyst), payload: payload as object });

  it('POST /v1/determinations: codified by default; ?regime=enforced or options.regime chooses; both regimes always answered', async () => {
    const plain = await post('/v1/determinations', GERMANY);
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).toMatchObject({ regime: 'codified', regimes: [{ id: 'codified' }, { id: 'enforced' }] });
    const query = await post('/v1/determinations?regime=enforced', GERMANY);
    expect(query.statusCode).toBe(200);
    const q = query.json();
    expect(q.regime).toBe('enforced');
    expect(q.outcome).toBe(q.regimes[1].outcome);
    const body = await post('/v1/determinations', { transaction: GERMANY, options: { regime: 'enforced' } });
    expect(body.json().regime).toBe('enforced');
    const agree = await post('/v1/determinations?regime=enforced', { transactions: [GERMANY], options: { regime: 'enforced' } });
    expect(agree.json()[0].regime).toBe('enforced');
  });

  it('a bad value is a 400 naming query.regime or body.options.regime; a query contradicting the body too', async () => {
    const q = await post('/v1/determinations?regime=enforceable', GERMANY);
    expect(q.statusCode).toBe(400);
    expect(q.json().errors).toEqual([expect.objectContaining({ path: 'query.regime' })]);
    const b = await post('/v1/determinations', { transaction: GERMANY, options: { regime: 'both' } });
    expect(b.statusCode).toBe(400);
    expect(b.json().errors[0].path).toBe('body.options.regime');
    const clash = await post('/v1/determinations?regime=codified', { transaction: GERMANY, options: { regime: 'enforced' } });
    expect(clash.statusCode).toBe(400);
    expect(clash.json().errors[0]).toMatchObject({ path: 'query.regime', message: 'contradicts body.options.regime' });
    const w = await post('/v1/what-if?regime=x', GERMANY);
    expect(w.statusCode).toBe(400);
    expect(w.json().errors[0].path).toBe('query.regime');
  });

  it('POST /v1/what-if takes ?regime= as well', async () => {
    const r = await post('/v1/what-if?regime=enforced', GERMANY);
    expect(r.statusCode).toBe(200);
  });

  it('screening jobs take ?regime= (a bad value is a 400 naming query.regime)', async () => {
    const orders = 'id,date,to,model,quantity,consignee_country,consignee_hq,consignee_parent_hq\nBR-1,2026-12-06,BR,nvidia-h100-sxm,10,BR,BR,BR\n';
    const bad = await s.app.inject({ method: 'POST', url: '/v1/screenings?regime=maybe', headers: { ...bearer(s.keys.analyst), 'content-type': 'text/csv' }, payload: orders });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.regime');
    const ok = await s.app.inject({ method: 'POST', url: '/v1/screenings?regime=enforced', headers: { ...bearer(s.keys.analyst), 'content-type': 'text/csv' }, payload: orders });
    expect(ok.statusCode).toBe(202);
    expect(ok.json().options).toMatchObject({ regime: 'enforced' });
  });

  it('GET /v1/legal-status: the status on a date, as aidr status; a bad date is a 400 naming query.asOf', async () => {
    const get = (url: string) => s.app.inject({ method: 'GET', url, headers: bearer(s.keys.viewer) });
    const r = await get('/v1/legal-status?asOf=2026-12-06');
    expect(r.statusCode).toBe(200);
    const st = r.json();
    expect(st.vintage.id).toBe('V7');
    expect(st.regimes.map((x: { id: string }) => x.id)).toEqual(['codified', 'enforced']);
    expect(st.postures.find((p: { id: string }) => p.id === 'E1').status).toBe('not_enforced');
    expect((await get('/v1/legal-status?asOf=2023-11-16')).json().vintage).toBeNull();
    const bad = await get('/v1/legal-status?asOf=2026-02-30');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.asOf');
  });

  it('the OpenAPI document names the regime parameter', async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const params = doc.paths['/v1/determinations'].post.parameters as { name: string; in: string }[];
    expect(params).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'regime', in: 'query' })]));
  });

  it('audit replay: the vintage and regime a 2024 record was decided under, and today\'s answer per regime', async () => {
    const tx = parseTransaction({ ...lppTx(1, 'replay-2024'), date: '2024-06-01' });
    const made = await commitTransaction(s.store, tx, { regime: 'enforced' }, { actor: 'test' });
    const r = await replayAudit(s.store, made.auditId);
    expect(r.identical).toBe(true);
    expect(r.then).toMatchObject({ asOf: '2024-06-01', vintage: 'V2', regime: 'enforced', regimes: [{ id: 'codified' }, { id: 'enforced' }] });
    expect(r.then.note).toMatch(/^Decided on 2024-06-01, in vintage V2 \(2024-04-04 to 2024-12-01\), under ruleset .*: the top-level answer followed the enforced regime/);
    expect(r.today).toMatchObject({ asOf: today(), vintage: vintageOn(today())?.id ?? null });
    expect(r.today!.regimes.map((x) => x.id)).toEqual(['codified', 'enforced']);
    // Over HTTP too.
    const http = await post(`/v1/determinations/${made.auditId}/replay`, undefined);
    expect(http.statusCode).toBe(200);
    expect(http.json()).toMatchObject({ then: { vintage: 'V2', regime: 'enforced' }, today: { regimes: [{ id: 'codified' }, { id: 'enforced' }] } });
  });

  it('audit replay of a record made before the regimes: its answer was the codified one', async () => {
    const tx = parseTransaction(lppTx(2, 'replay-old'));
    const made = await commitTransaction(s.store, tx, {}, { actor: 'test' });
    const { regime: _r, regimes: _rs, regimesDiffer: _d, ...older } = JSON.parse(JSON.stringify(made.determination));
    const rec = await s.store.db.transaction().execute((trx) => appendAudit(trx, { actor: 'test', kind: 'determination', input: tx, options: { asOf: '2025-06-02', ledger: {} }, output: older, rulesetVersion: 'ai-diffusion-2025+0000000000000000', effects: {} }, s.store.signer));
    const r = await replayAudit(s.store, rec.id);
    expect(r.then).toMatchObject({ vintage: 'V4b', regime: 'codified', regimes: null });
    expect(r.then.note).toMatch(/predates the codified\/enforced regimes/);
    expect(r.differences.map((d) => d.path)).toEqual(expect.arrayContaining(['regime', 'regimesDiffer']));
  });
});
