/**
 * The routes the workbench added (src/api/routes/what-if.ts, workbench.ts, web.ts), without a
 * browser, on both back ends: what-if reads the store's ledger ("at most N units" counts what the
 * consignee already received), the ledger view, reference data, audit search by the stored
 * input's fields, replay, the rule-text page's anchors for every citation the law modules write.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorFor, pinpoints } from '../../src/web/citations.js';
import { RULE_KEYS } from '../../src/web/rule-text.js';
import { bearer, testServer, type TestServer } from '../api/helpers.js';
import { DATABASE_URL } from '../store/backends.js';

const BACKENDS = ['sqlite', ...(DATABASE_URL ? ['postgres' as const] : [])] as const;

const BR = (id: string, quantity: number, extra: Record<string, unknown> = {}) => ({
  id, date: '2025-06-02', to: 'BR', item: { type: 'ic', model: 'nvidia-h100-sxm' }, quantity,
  consignee: { id: 'br-dc', name: 'Exemplo Datacenter Ltda', country: 'BR', headquarters: 'BR', ultimateParentHeadquarters: 'BR' }, endUses: ['datacenter'], ...extra,
});

for (const name of BACKENDS) {
  describe(`workbench routes (${name})`, () => {
    let s: TestServer;
    beforeAll(async () => {
      s = await testServer(name, { auth: { required: true } });
    });
    afterAll(async () => s?.close());
    const post = (url: string, payload: unknown, key = s.keys.officer) => s.app.inject({ method: 'POST', url, payload: payload as object, headers: bearer(key) });
    const get = (url: string, key = s.keys.viewer) => s.app.inject({ method: 'GET', url, headers: bearer(key) });

    it('POST /v1/what-if: at most 1,699 units under LPP with nothing drawn; fewer once the store has draws', async () => {
      const r = await post('/v1/what-if', BR('W-1', 10_000), s.keys.analyst);
      expect(r.statusCode).toBe(200);
      expect(r.json().exceptions.find((e: { code: string }) => e.code === 'LPP').changes).toEqual([{ path: 'quantity', from: 10000, to: 1699 }]);
      expect(r.json().ledger).toMatchObject({ lppUsedTpp: '0' });
      // Commit 1,000 units under LPP: 699 are left.
      const c = await post('/v1/determinations', { transaction: BR('W-2', 1000), commit: true });
      expect(c.statusCode).toBe(201);
      expect(c.json().commit.exception).toBe('LPP');
      const again = await post('/v1/what-if', BR('W-3', 10_000), s.keys.analyst);
      expect(again.json().exceptions.find((e: { code: string }) => e.code === 'LPP').changes).toEqual([{ path: 'quantity', from: 10000, to: 699 }]);
      // A ledger view given by the caller is used as given.
      const given = await post('/v1/what-if', { transaction: BR('W-4', 10_000), options: { ledger: { lppUsedTpp: 0 } } }, s.keys.analyst);
      expect(given.json().exceptions.find((e: { code: string }) => e.code === 'LPP').changes[0].to).toBe(1699);
    });

    it('POST /v1/what-if: bad input names the field; a viewer is refused', async () => {
      const bad = await post('/v1/what-if', { ...BR('W-5', 10), to: 'XX' }, s.keys.analyst);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].path).toBe('body.to');
      const badEnvelope = await post('/v1/what-if', { transaction: { ...BR('W-6', 10), quantity: -1 } }, s.keys.analyst);
      expect(badEnvelope.json().errors[0].path).toBe('body.transaction.quantity');
      const badReading = await post('/v1/what-if', { transaction: BR('W-7', 10), options: { interpretations: { 'INT-6': 'nonsense' } } }, s.keys.analyst);
      expect(badReading.statusCode).toBe(422);
      expect(badReading.json().errors[0].path).toBe('body.options.interpretations.INT-6');
      expect((await post('/v1/what-if', BR('W-8', 10), s.keys.viewer)).statusCode).toBe(403);
      expect((await s.app.inject({ method: 'POST', url: '/v1/what-if', headers: { ...bearer(s.keys.analyst), 'content-type': 'application/json' }, payload: 'null' })).statusCode).toBe(400);
    });

    it('POST /v1/ledger/view: what a commit would be decided on', async () => {
      const r = await post('/v1/ledger/view', BR('V-1', 1), s.keys.viewer);
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ lppUsedTpp: '15832000', lppUsedTppByReading: { ultimate_parent: '15832000', owner: '15832000' }, aiaCumulativeTpp: '0' });
      // Evaluating with it gives what the commit gives.
      const d = await post('/v1/determinations', { transaction: BR('V-2', 1000), options: { ledger: r.json() } }, s.keys.analyst);
      expect(d.json().exceptions.find((e: { code: string }) => e.code === 'LPP').status).toBe('not_eligible');
    });

    it('GET /v1/reference: countries by name with their groups, end uses, the ledger figures with citations', async () => {
      const r = await get('/v1/reference');
      expect(r.statusCode).toBe(200);
      const body = r.json();
      expect(body.countries.find((c: { code: string }) => c.code === 'BR')).toMatchObject({ name: 'Brazil', supp5a: false, tier: 2 });
      expect(body.countries.find((c: { code: string }) => c.code === 'CN')).toMatchObject({ tier: 3 });
      expect(body.countries.find((c: { code: string }) => c.code === 'HK').name).toContain('treated as CN');
      expect(body.figures.lppAnnualCap).toEqual({ tpp: '26900000', citation: '15 CFR 740.29(a), (d)' });
      expect(body.figures.aiaReporting.tpp).toBe('253000000');
      expect(body.endUses).toContain('datacenter');
    });

    it('GET /v1/audit/records: by PO, consignee, destination, shipment date and outcome, newest first', async () => {
      await post('/v1/determinations', { transaction: { ...BR('AUD-CN-1', 5), to: 'CN', consignee: { id: 'cn-1', name: 'Zhongguo Compute', country: 'CN', headquarters: 'CN', ultimateParentHeadquarters: 'CN' } }, commit: true });
      await post('/v1/determinations', { transaction: { ...BR('AUD-BR-9', 5), date: '2025-07-01' }, commit: true });
      const ids = async (q: string) => (await get(`/v1/audit/records?${q}`)).json().items.map((x: { transactionId: string }) => x.transactionId);
      expect(await ids('q=aud-')).toEqual(['AUD-BR-9', 'AUD-CN-1']);
      expect(await ids('consignee=zhongguo')).toEqual(['AUD-CN-1']);
      expect(await ids('consignee=br-dc')).toContain('AUD-BR-9');
      expect(await ids('to=cn')).toEqual(['AUD-CN-1']);
      expect(await ids('date=2025-07-01')).toEqual(['AUD-BR-9']);
      expect(await ids('outcome=license_required&q=AUD')).toEqual(['AUD-CN-1']);
      expect(await ids('q=%25')).toEqual([]); // LIKE's wildcards are literal characters here
      expect(await ids('q=AUD_')).toEqual([]);
      expect(await ids('q=-br-')).toEqual(['AUD-BR-9']);
      const page1 = (await get('/v1/audit/records?limit=1')).json();
      expect(page1.items).toHaveLength(1);
      const page2 = (await get(`/v1/audit/records?limit=1&before=${page1.nextCursor}`)).json();
      expect(page2.items[0].seq).toBeLessThan(page1.items[0].seq);
      const bad = await get('/v1/audit/records?to=Brazil');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].path).toBe('query.to');
    });

    it('POST /v1/determinations/{id}/replay: the same determination; an unknown record is 404', async () => {
      const list = (await get('/v1/audit/records?q=AUD-CN-1')).json();
      const r = await post(`/v1/determinations/${list.items[0].id}/replay`, undefined, s.keys.analyst);
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ identical: true, sameVersion: true, differences: [] });
      expect((await post('/v1/determinations/00000000-0000-0000-0000-000000000000/replay', undefined, s.keys.analyst)).statusCode).toBe(404);
      expect((await post('/v1/determinations/99999999999999999999999/replay', undefined, s.keys.analyst)).statusCode).toBe(404);
    });
  });
}

describe('the rule-text page covers every citation', () => {
  /** Every citation string the law modules and the data write (the C tables, conditions, obligations). */
  function lawCitations(): string[] {
    const root = join(import.meta.dirname, '..', '..');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (/\.(ts|json)$/.test(e.name)) files.push(join(dir, e.name));
      }
    };
    walk(join(root, 'src', 'law'));
    walk(join(root, 'src', 'engine'));
    walk(join(root, 'data'));
    const out = new Set<string>();
    for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/(?:15 CFR (?:part )?\d{3}[^'"`]*|ECCN \d[A-E]\d{3}[^'"`]*)/g)) out.add(m[0]);
    return [...out];
  }

  it('each pinpoint links to its own paragraph or to the nearest enclosing one on the page, never nowhere', () => {
    const missing: string[] = [];
    const coarse: string[] = [];
    for (const c of lawCitations()) {
      for (const p of pinpoints(c)) {
        const a = anchorFor(p.key, RULE_KEYS);
        if (!a) missing.push(`${c} → ${p.key}`);
        // Sections are all on the page: a pinpoint never falls back to a whole part.
        else if (/^\d{3}\.\d+/.test(p.key) && a.startsWith('part')) coarse.push(`${p.key} → ${a}`);
      }
    }
    expect(missing).toEqual([]);
    expect(coarse).toEqual([]);
  });

  it('reads the citation forms the engine writes', () => {
    expect(pinpoints('15 CFR 740.29(d); 15 CFR 740.29(h)(1)').map((p) => p.key)).toEqual(['740.29(d)', '740.29(h)(1)']);
    expect(pinpoints('15 CFR 740.27(a)(1), (a)(2)(ii)').map((p) => p.key)).toEqual(['740.27(a)(1)', '740.27(a)(2)(ii)']);
    expect(pinpoints('15 CFR part 748, Supp. No. 10, paras 14, 15, 18').map((p) => p.key)).toEqual(['part748-supp10']);
    expect(pinpoints('ECCN 3A090, Note 1 to 3A090.a and 3A090.b').map((p) => p.key)).toEqual(['3A090-note1']);
    expect(pinpoints('ECCN 3A090.a.1').map((p) => p.key)).toEqual(['3A090.a.1']);
    expect(pinpoints("15 CFR 740.29(a) ('directly to a single ultimate consignee'); FR 2025-00636 preamble (not through distributors)").map((p) => p.key)).toEqual(['740.29(a)', 'preamble']);
    expect(anchorFor('742.6(b)(10)(iii)(B)(1)', RULE_KEYS)).toBe('742.6(b)(10)(iii)');
  });
});
