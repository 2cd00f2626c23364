/**
 * Screening jobs over HTTP (docs/screening.md):
 *
 * - `POST /v1/screenings` (analyst): the order book as the body (text/csv, an XLSX workbook, or
 *   application/x-ndjson); options in the query (asOf, interpretation=INT-6=available repeated,
 *   sensitivity, sheet, ledger=false). 202 with the job and Location. A body that cannot be read
 *   (no header row, not a workbook) is a 400 naming it; rows in error are reported in the results.
 * - `GET /v1/screenings/{id}` (viewer): state (queued, running, done, failed, interrupted),
 *   progress, and the summary once done.
 * - `GET /v1/screenings/{id}/results?format=csv|xlsx|jsonl` (viewer): the rows so far, in line
 *   order, streamed (also while running, and after an interruption).
 * - `POST /v1/screenings/{id}/resume` (analyst): continue an interrupted (or failed) job after its
 *   last stored line.
 */
import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RegimeId } from '../../contract/determination.js';
import { IsoDate } from '../../contract/transaction.js';
import { InputError, readingsFrom } from '../../engine/context.js';
import { flatRow, type ScreenRow } from '../../screen/format.js';
import { createJob, deleteJob, getJob, purgeJobs, resultLines, startRunner, type Job, type JobOptions, type JobRunner } from '../../screen/jobs.js';
import { openInput, type InputFormat } from '../../screen/read.js';
import { knownColumns } from '../../screen/columns.js';
import { csvLine } from '../../screen/screener.js';
import { headerCells } from '../../screen/write.js';
import { ApiProblem } from '../problem.js';
import { Problem } from '../schemas.js';
import { parsePart, sendJson, type ApiContext } from '../server.js';

const MEDIA: Record<string, InputFormat> = {
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
};

const JobView = z.object({
  id: z.string(),
  state: z.enum(['queued', 'running', 'done', 'failed', 'interrupted']),
  createdAt: z.string(),
  updatedAt: z.string(),
  inputFormat: z.enum(['csv', 'xlsx', 'jsonl', 'json']),
  inputBytes: z.number().int(),
  rowsDone: z.number().int().describe('lines screened so far (results stored)'),
  rowsInvalid: z.number().int(),
  lastLine: z.number().int().describe('the last input line with a stored result (a resumed job continues after it)'),
  options: z.object({ asOf: z.string().optional(), interpretations: z.record(z.string(), z.string()).optional(), sensitivity: z.boolean().optional(), sheet: z.string().optional(), ledger: z.boolean().optional() }),
  summary: z.record(z.string(), z.unknown()).optional().describe('once done: counts by outcome, destination and exception, the most needed facts, the rows in error (as aidr screen --summary)'),
  error: z.string().optional(),
  links: z.object({ self: z.string(), results: z.string() }),
}).describe('A screening job');

const SubmitQuery = z.strictObject({
  asOf: IsoDate.optional(),
  interpretation: z.union([z.string(), z.array(z.string())]).optional().describe('ID=READING, e.g. INT-6=available; repeat for several'),
  sensitivity: z.enum(['true', 'false']).optional(),
  regime: RegimeId.optional().describe('the regime the main columns answer: codified (default) or enforced; both regimes have their own columns'),
  sheet: z.string().max(200).optional(),
  ledger: z.enum(['true', 'false']).optional().describe('false: ignore the stored ledger'),
});

const ResultsQuery = z.strictObject({ format: z.enum(['csv', 'xlsx', 'jsonl']).optional() });
const IdParams = z.strictObject({ id: z.string().uuid() });

const view = (j: Job) => ({ ...j, actor: undefined, links: { self: `/v1/screenings/${j.id}`, results: `/v1/screenings/${j.id}/results` } });

function jobOptions(q: z.infer<typeof SubmitQuery>): JobOptions {
  const o: JobOptions = {};
  if (q.asOf) o.asOf = q.asOf;
  const ints = q.interpretation === undefined ? [] : [q.interpretation].flat();
  if (ints.length) {
    const interpretations: Record<string, string> = {};
    for (const s of ints) {
      const m = /^(INT-\d+)=(.+)$/.exec(s);
      if (!m) throw new ApiProblem('validation', `query.interpretation: expected ID=READING, e.g. INT-6=available (got "${s}")`, [{ path: 'query.interpretation', message: 'expected ID=READING' }]);
      interpretations[m[1]!] = m[2]!;
    }
    try {
      readingsFrom(interpretations);
    } catch (e) {
      const err = e as InputError;
      throw new ApiProblem('validation', `query.${err.message}`, [{ path: `query.${err.path}`, message: err.message }]);
    }
    o.interpretations = interpretations;
  }
  if (q.sensitivity === 'true') o.sensitivity = true;
  if (q.regime) o.regime = q.regime;
  if (q.sheet) o.sheet = q.sheet;
  if (q.ledger === 'false') o.ledger = false;
  return o;
}

export function registerScreeningRoutes(app: FastifyInstance, ctx: ApiContext): { runner: () => Promise<JobRunner> } {
  let runner: Promise<JobRunner> | undefined;
  const getRunner = () => (runner ??= startRunner(ctx.store, { maxRows: ctx.limits.screeningMaxRows, ...(ctx.databaseUrl ? { databaseUrl: ctx.databaseUrl } : {}) }));

  // The order-book media types are read as bytes only on these routes (other routes keep answering 415).
  app.register(async (sub) => {
    sub.addContentTypeParser(Object.keys(MEDIA), { parseAs: 'buffer', bodyLimit: ctx.limits.screeningBodyLimitBytes }, (_request, body, done) => done(null, body));

    sub.post('/v1/screenings', {
      config: { role: 'analyst' },
      bodyLimit: ctx.limits.screeningBodyLimitBytes,
      schema: {
        tags: ['screenings'],
        summary: 'Screen an order book (CSV, XLSX or JSON Lines body) as a job; 202 with the job',
        description: 'The body is the file itself: Content-Type text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, or application/x-ndjson. '
          + 'Columns as in `aidr screen` (docs/screening.md). Rows in error are reported in the results; a body that cannot be read at all is a 400.',
        querystring: SubmitQuery,
        response: { 202: JobView, 400: Problem, 401: Problem, 403: Problem, 413: Problem, 415: Problem },
      },
    }, async (request, reply) => {
      const q = parsePart(SubmitQuery, request.query, 'query');
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const format = MEDIA[type];
      const body = request.body;
      if (!format || !Buffer.isBuffer(body)) throw new ApiProblem('unsupported-media-type', `send the order book as ${Object.keys(MEDIA).join(', ')}`);
      if (body.length === 0) throw new ApiProblem('validation', 'body: empty: send the order book (a header row, then one line per order)', [{ path: 'body', message: 'empty' }]);
      const options = jobOptions(q);
      // Read the header (and the first line) now: a body that is not an order book is refused here.
      try {
        const input = await openInput(Readable.from([body]), { format, ...(options.sheet ? { sheet: options.sheet } : {}) });
        // A header row with no column aidr knows is not an order book (as `aidr screen` refuses it).
        if (input.headers) knownColumns(input);
        const it = input.records[Symbol.asyncIterator]();
        await it.next();
        await it.return?.();
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        const path = `body ${e.path}`;
        throw new ApiProblem('validation', `${path}: ${e.message.slice(e.path.length + 2)}`, [{ path, message: e.message.slice(e.path.length + 2) }]);
      }
      // Finished jobs past the retention period go first (their rows take about 7 KB a line).
      await purgeJobs(ctx.store, new Date(Date.now() - ctx.limits.screeningRetentionDays * 86_400_000).toISOString());
      const job = await createJob(ctx.store, body, format, options, request.principal.keyId);
      await (await getRunner()).submit(job.id);
      reply.header('location', `/v1/screenings/${job.id}`);
      return sendJson(reply, 202, view(job));
    });
  });

  app.delete('/v1/screenings/:id', {
    config: { role: 'analyst' },
    schema: { tags: ['screenings'], summary: 'Delete a finished job (done, failed or interrupted) and its results; 409 while it is queued or running', params: IdParams, response: { 204: z.null(), 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem } },
  }, async (request, reply) => {
    const { id } = parsePart(IdParams, request.params, 'params');
    const done = await deleteJob(ctx.store, id);
    if (done === false) throw new ApiProblem('not-found', `no screening job ${id}`);
    if (done === 'busy') throw new ApiProblem('conflict', `screening job ${id} is queued or running: delete it once it has finished`);
    return reply.code(204).send();
  });

  app.get('/v1/screenings/:id', {
    config: { role: 'viewer' },
    schema: { tags: ['screenings'], summary: 'A screening job: its state, progress and (once done) summary', params: IdParams, response: { 200: JobView, 400: Problem, 401: Problem, 403: Problem, 404: Problem } },
  }, async (request, reply) => {
    const { id } = parsePart(IdParams, request.params, 'params');
    const job = await getJob(ctx.store, id);
    if (!job) throw new ApiProblem('not-found', `no screening job ${id}`);
    return sendJson(reply, 200, view(job));
  });

  app.get('/v1/screenings/:id/results', {
    config: { role: 'viewer' },
    schema: {
      tags: ['screenings'], summary: 'The rows screened so far, in line order: CSV (default), XLSX or JSON Lines (?format=)', params: IdParams, querystring: ResultsQuery,
      response: { 200: z.string().describe('text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/x-ndjson'), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
    },
  }, async (request, reply) => {
    const { id } = parsePart(IdParams, request.params, 'params');
    const { format = 'csv' } = parsePart(ResultsQuery, request.query, 'query');
    const job = await getJob(ctx.store, id);
    if (!job) throw new ApiProblem('not-found', `no screening job ${id}`);
    const lines = resultLines(ctx.store, id);
    if (format === 'jsonl') {
      return reply.code(200).type('application/x-ndjson; charset=utf-8').send(Readable.from((async function* () {
        for await (const l of lines) yield `${l}\n`;
      })()));
    }
    if (format === 'csv') {
      return reply.code(200).type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="screening-${id}.csv"`).send(Readable.from((async function* () {
        yield `\uFEFF${csvLine(headerCells('screen'))}`;
        for await (const l of lines) yield csvLine(flatRow(JSON.parse(l) as ScreenRow, 'screen'));
      })()));
    }
    const { default: ExcelJS } = await import('exceljs');
    const out = new PassThrough();
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
    const ws = wb.addWorksheet('screening');
    void (async () => {
      ws.addRow(headerCells('screen')).commit();
      for await (const l of lines) ws.addRow(flatRow(JSON.parse(l) as ScreenRow, 'screen')).commit();
      ws.commit();
      await wb.commit();
    })().catch((e) => out.destroy(e as Error));
    return reply.code(200).type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="screening-${id}.xlsx"`).send(out);
  });

  app.post('/v1/screenings/:id/resume', {
    config: { role: 'analyst' },
    schema: { tags: ['screenings'], summary: 'Continue an interrupted or failed job after its last stored line', params: IdParams, response: { 202: JobView, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem } },
  }, async (request, reply) => {
    const { id } = parsePart(IdParams, request.params, 'params');
    const job = await getJob(ctx.store, id);
    if (!job) throw new ApiProblem('not-found', `no screening job ${id}`);
    if (job.state !== 'interrupted' && job.state !== 'failed') throw new ApiProblem('conflict', `job ${id} is ${job.state}: only an interrupted or failed job is resumed`);
    await (await getRunner()).resume(id);
    return sendJson(reply, 202, view((await getJob(ctx.store, id))!));
  });

  return { runner: getRunner };
}
