/**
 * Screening jobs over HTTP: submit, progress and summary, results as CSV / JSON Lines / XLSX,
 * compressed answers, bad input as problem+json naming what is wrong, a job cut off by a restart
 * reported as interrupted with its partial results and resumed, and (PostgreSQL) several
 * instances on one database running a job exactly once. The OpenAPI document lints clean.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { bearer, testServer, type TestServer } from '../api/helpers.js';
import { DATABASE_URL } from '../store/backends.js';
import { rows, tempDir } from './helpers.js';

const HEAD = 'id,date,to,model,quantity,consignee_id,consignee_country,consignee_hq,consignee_parent_hq\n';
const line = (i: number, to = 'DE') => `PO-${i},2025-06-02,${to},nvidia-h100-sxm,${1 + (i % 9)},c-${i % 7},${to === 'Narnia' ? 'DE' : to},US,US\n`;
const book = (n: number, bad: number[] = []) => HEAD + Array.from({ length: n }, (_, i) => line(i, bad.includes(i) ? 'Narnia' : 'DE')).join('');

async function until(s: TestServer, id: string, states: string[]): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const r = await s.app.inject({ method: 'GET', url: `/v1/screenings/${id}`, headers: bearer(s.keys.viewer) });
    const j = r.json();
    if (states.includes(j.state)) return j;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`job ${id} never reached ${states.join('/')}`);
}

const submit = (s: TestServer, body: string | Buffer, type = 'text/csv', query = '') =>
  s.app.inject({ method: 'POST', url: `/v1/screenings${query}`, headers: { ...bearer(s.keys.analyst), 'content-type': type }, payload: body });

describe('POST /v1/screenings (SQLite)', () => {
  let s: TestServer;
  afterAll(async () => s?.close());

  it('a job: 202 and Location, progress, the summary, results as CSV, JSON Lines and XLSX; compressed when asked', async () => {
    s = await testServer('sqlite');
    const r = await submit(s, book(2500, [3, 1700]));
    expect(r.statusCode, r.body).toBe(202);
    expect(r.headers.location).toBe(`/v1/screenings/${r.json().id}`);
    const done = await until(s, r.json().id, ['done', 'failed']);
    expect(done).toMatchObject({ state: 'done', rowsDone: 2500, rowsInvalid: 2, lastLine: 2501 });
    expect((done.summary as { errors: { line: number }[] }).errors.map((e) => e.line)).toEqual([5, 1702]);
    const csv = await s.app.inject({ method: 'GET', url: `/v1/screenings/${r.json().id}/results`, headers: bearer(s.keys.viewer) });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const out = rows(csv.body);
    expect(out).toHaveLength(2500);
    expect(out[3]!.errors).toMatch(/Narnia/);
    expect(out[0]).toMatchObject({ line: '2', id: 'PO-0', outcome: 'license_exception', commit_exception: 'AIA' });
    const jsonl = await s.app.inject({ method: 'GET', url: `/v1/screenings/${r.json().id}/results?format=jsonl`, headers: { ...bearer(s.keys.viewer), 'accept-encoding': 'gzip' } });
    expect(jsonl.headers['content-encoding']).toBe('gzip');
    const lines = gunzipSync(jsonl.rawPayload).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 2));
    const xlsx = await s.app.inject({ method: 'GET', url: `/v1/screenings/${r.json().id}/results?format=xlsx`, headers: bearer(s.keys.viewer) });
    expect(xlsx.statusCode).toBe(200);
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.rowCount).toBe(2501);
  }, 120_000);

  it('bad input: problem+json naming what is wrong (400, 415, 413); unknown job 404', async () => {
    const empty = await submit(s, 'a,b\n', 'text/csv', '?interpretation=INT-6%3Dsometimes');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].path).toBe('query.interpretations.INT-6');
    const xlsx = await submit(s, Buffer.from('not a zip'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.statusCode).toBe(400);
    expect(xlsx.headers['content-type']).toMatch(/problem\+json/);
    expect(xlsx.json().errors[0].path).toMatch(/^body/);
    expect((await submit(s, '')).statusCode).toBe(400);
    // A header row with no column aidr knows is not an order book, as `aidr screen` says (red team, 2026-12-06).
    const notBook = await submit(s, 'hello,world\n1,2\n');
    expect(notBook.statusCode).toBe(400);
    expect(notBook.json().errors[0]).toMatchObject({ path: 'body (header)', message: expect.stringMatching(/no column of the header row is one aidr knows \(its first row: "hello", "world"\)/) });
    // A workbook whose first worksheet is a cover note: 400 naming the other worksheets, and ?sheet= reads the orders.
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Notes').addRow(['Export from SAP, do not edit']);
    wb.addWorksheet('Orders').addRows([['id', 'date', 'to', 'model', 'quantity'], ['X-1', '2025-06-02', 'DE', 'nvidia-h100-sxm', 1]]);
    const xlsxBook = Buffer.from(await wb.xlsx.writeBuffer());
    const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const cover = await submit(s, xlsxBook, XLSX_TYPE);
    expect(cover.statusCode).toBe(400);
    expect(cover.json().errors[0].message).toMatch(/no column of worksheet "Notes" is one aidr knows .*other worksheets: "Orders"/);
    expect((await submit(s, xlsxBook, XLSX_TYPE, '?sheet=Orders')).statusCode).toBe(202);
    expect((await submit(s, book(1), 'application/pdf')).statusCode).toBe(415);
    expect((await s.app.inject({ method: 'GET', url: '/v1/screenings/00000000-0000-4000-8000-000000000000', headers: bearer(s.keys.viewer) })).statusCode).toBe(404);
    const small = await buildServer({ store: s.store, auth: { required: false }, processMetrics: false, limits: { screeningBodyLimitBytes: 100 } });
    const big = await small.inject({ method: 'POST', url: '/v1/screenings', headers: { 'content-type': 'text/csv' }, payload: book(50) });
    expect(big.statusCode).toBe(413);
    await small.close();
  });

  it('a job cut off by a restart is reported as interrupted with its partial results, and resumes where it stopped, with the running totals of the lines before the cut', async () => {
    // To Brazil: each of the 7 consignees crosses the LPP cap after line 2001, where the job is cut.
    const r = await submit(s, HEAD + Array.from({ length: 3000 }, (_, i) => line(i, 'BR')).join(''));
    const id = r.json().id as string;
    await until(s, id, ['done']);
    const uncut = rows((await s.app.inject({ method: 'GET', url: `/v1/screenings/${id}/results`, headers: bearer(s.keys.viewer) })).body);
    expect(uncut.slice(0, 2000).every((x) => x.commit_exception === 'LPP')).toBe(true);
    expect(uncut.slice(2000).some((x) => x.commit_exception === '')).toBe(true);
    // As a killed process leaves it: running, with its first two chunks stored.
    await s.store.db.deleteFrom('screening_chunks').where('job_id', '=', id).where('chunk', '>=', 2n).execute();
    await s.store.db.updateTable('screening_jobs').set({ state: 'running', rows_done: 2000n, last_line: 2001n, chunks: 2n, summary: null }).where('id', '=', id).execute();
    const restarted = await buildServer({ store: s.store, auth: { required: true }, processMetrics: false });
    const seen = await restarted.inject({ method: 'GET', url: `/v1/screenings/${id}`, headers: bearer(s.keys.viewer) });
    expect(seen.json()).toMatchObject({ state: 'interrupted', rowsDone: 2000, lastLine: 2001 });
    const partial = await restarted.inject({ method: 'GET', url: `/v1/screenings/${id}/results`, headers: bearer(s.keys.viewer) });
    expect(rows(partial.body)).toHaveLength(2000);
    const resumed = await restarted.inject({ method: 'POST', url: `/v1/screenings/${id}/resume`, headers: bearer(s.keys.analyst) });
    expect(resumed.statusCode).toBe(202);
    const again = { ...s, app: restarted } as TestServer;
    const done = await until(again, id, ['done', 'failed']);
    expect(done).toMatchObject({ state: 'done', rowsDone: 3000, lastLine: 3001 });
    const all = rows((await restarted.inject({ method: 'GET', url: `/v1/screenings/${id}/results`, headers: bearer(s.keys.viewer) })).body);
    expect(all.map((x) => Number(x.line))).toEqual(Array.from({ length: 3000 }, (_, i) => i + 2));
    expect(all).toEqual(uncut);
    expect((await restarted.inject({ method: 'POST', url: `/v1/screenings/${id}/resume`, headers: bearer(s.keys.analyst) })).statusCode).toBe(409);
    await restarted.close();
  }, 120_000);

  it('a finished job can be deleted (204, then 404); finished jobs past the retention period are deleted when a job is submitted (red team, 2026-12-06: rows take ~7 KB a line, nothing removed them)', async () => {
    const first = (await submit(s, book(10))).json().id as string;
    await until(s, first, ['done']);
    const del = await s.app.inject({ method: 'DELETE', url: `/v1/screenings/${first}`, headers: bearer(s.keys.analyst) });
    expect(del.statusCode, del.body).toBe(204);
    expect((await s.app.inject({ method: 'GET', url: `/v1/screenings/${first}`, headers: bearer(s.keys.viewer) })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'DELETE', url: `/v1/screenings/${first}`, headers: bearer(s.keys.analyst) })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'DELETE', url: `/v1/screenings/${first}`, headers: bearer(s.keys.viewer) })).statusCode).toBe(403);
    const old = (await submit(s, book(10))).json().id as string;
    await until(s, old, ['done']);
    await s.store.db.updateTable('screening_jobs').set({ updated_at: '2020-01-01T00:00:00.000Z' }).where('id', '=', old).execute();
    const fresh = (await submit(s, book(10))).json().id as string;
    expect((await s.app.inject({ method: 'GET', url: `/v1/screenings/${old}`, headers: bearer(s.keys.viewer) })).statusCode).toBe(404);
    expect(await s.store.db.selectFrom('screening_chunks').select('job_id').where('job_id', '=', old).execute()).toEqual([]);
    await until(s, fresh, ['done']);
  });

  it('OpenAPI: every operation has an operationId, servers are given, and @redocly/cli lints it clean', async () => {
    const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.servers?.length).toBeGreaterThan(0);
    const ids: string[] = [];
    for (const ops of Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>)) for (const op of Object.values(ops)) ids.push(op.operationId!);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('postV1Screenings');
    const dir = tempDir();
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
    const root = join(import.meta.dirname, '..', '..');
    const r = spawnSync(join(root, 'node_modules', '.bin', 'redocly'), ['lint', join(dir, 'openapi.json'), '--config', join(root, 'redocly.yaml'), '--format', 'stylish'], { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/Your API description is valid/);
    expect(out).not.toMatch(/You have \d+ (warning|error)/);
  }, 120_000);
});

describe.skipIf(!DATABASE_URL)('POST /v1/screenings on PostgreSQL with two instances (pg-boss)', () => {
  it('a job is claimed and run by exactly one instance', async () => {
    const a = await testServer('postgres', { jobs: true, databaseUrl: DATABASE_URL! });
    const b = await buildServer({ store: a.store, auth: { required: true }, processMetrics: false, jobs: true, databaseUrl: DATABASE_URL! });
    try {
      const r = await submit(a, book(2200));
      expect(r.statusCode, r.body).toBe(202);
      const done = await until(a, r.json().id, ['done', 'failed']);
      expect(done).toMatchObject({ state: 'done', rowsDone: 2200 });
      const chunks = await a.store.db.selectFrom('screening_chunks').select('chunk').where('job_id', '=', r.json().id).execute();
      expect(chunks).toHaveLength(3);
    } finally {
      await b.close();
      const schema = /\(schema ([a-z0-9_]+)\)$/.exec(a.store.location)?.[1];
      if (schema) await sql.raw(`drop schema if exists pgboss_${schema} cascade`).execute(a.store.db);
      await a.close();
    }
  }, 120_000);
});
