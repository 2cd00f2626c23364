/**
 * Reference data (chips, ruleset), the VEU check, and the operational endpoints: health,
 * readiness (the database answers), Prometheus metrics and the OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { dec } from '../../compute/exact.js';
import { allChips } from '../../data/chips.js';
import { INTERPRETATIONS } from '../../data/interpretations.js';
import { DATES, RULESET, statusOn } from '../../data/ruleset.js';
import { IsoDate } from '../../contract/transaction.js';
import { today } from '../../engine/determine.js';
import { legalStatus } from '../../engine/legal-status.js';
import { rulesetVersion } from '../../engine/version.js';
import { classifyIc, displayPd } from '../../law/part774/eccn-3a090.js';
import { veuCheck } from '../../law/part748/veu-check.js';
import { ApiProblem } from '../problem.js';
import { Chip, Health, Problem, RulesetInfo, VeuRequest, VeuResult } from '../schemas.js';
import { parsePart, sendJson, type ApiContext } from '../server.js';

const LegalStatusQuery = z.object({ asOf: IsoDate.optional().describe('the date (YYYY-MM-DD; default today)') });
const Row = z.record(z.string(), z.unknown());
const LegalStatusResponse = z.object({
  asOf: z.string(),
  vintage: z.object({ id: z.string(), from: z.string(), to: z.string(), baseText: z.string() }).nullable().describe('null before 2023-11-17: the earlier rules are not modeled'),
  regimes: z.array(z.object({ id: z.enum(['codified', 'enforced']), sentence: z.string(), overlays: z.array(z.string()) })),
  timeline: z.array(Row).describe('every instrument, `inEffect` on the date'),
  postures: z.array(Row).describe('each provision\'s posture on the date: enforced, not_enforced, unknown, or not_yet'),
  sources: z.array(z.object({ key: z.string(), source: z.string(), howRead: z.string() })),
});

function chipRows() {
  return allChips().map((c) => {
    const cls = classifyIc({ tpp: c.tpp, area: c.dieAreaMm2 ? dec(c.dieAreaMm2) : undefined, datacenter: c.datacenter, path: 'item', label: 'the IC' });
    return {
      id: c.id, name: `${c.vendor} ${c.name}`, tpp: c.tpp.toNumber(), tppFrom: `${c.tppRate.precision}: ${c.tppRate.denseTops} × ${c.tppRate.bitLength} bits`,
      dieAreaMm2: c.dieAreaMm2, performanceDensity: c.pd ? displayPd(c.pd) : null, datacenter: c.datacenter,
      eccn: cls.candidates.map((p) => (p === null ? 'not 3A090.a/.b' : `3A090.${p}`)).join(' or '),
    };
  });
}

function rulesetInfo() {
  const day = today();
  return {
    id: RULESET.id, title: RULESET.title, citation: RULESET.citation, version: rulesetVersion(), today: day,
    inForce: day >= DATES.effective, complianceRequired: day >= DATES.compliance, status: statusOn(day),
    statusHistory: RULESET.status, dates: RULESET.dates,
    interpretations: [...INTERPRETATIONS.values()].map((i) => ({
      id: i.id, question: i.question, citation: i.citation, default: i.readings[0]!.id, readings: i.readings.map((r) => ({ id: r.id, label: r.label })),
    })),
  };
}

export function registerMetaRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // The catalog and the ruleset are fixed for the life of the process: render them once.
  let chips: string | undefined;
  app.get('/v1/chips', {
    config: { role: 'viewer' },
    schema: { tags: ['reference'], summary: 'The chip catalog with TPP, performance density, datacenter flag and 3A090 classification', response: { 200: z.array(Chip), 401: Problem, 403: Problem } },
  }, async (_request, reply) => reply.code(200).type('application/json; charset=utf-8').send((chips ??= JSON.stringify(chipRows()))));

  app.get('/v1/ruleset', {
    config: { role: 'viewer' },
    schema: { tags: ['reference'], summary: 'The ruleset: version, legal status today and its history, key dates, the interpretations and their readings', response: { 200: RulesetInfo, 401: Problem, 403: Problem } },
  }, async (_request, reply) => sendJson(reply, 200, rulesetInfo()));

  app.get('/v1/legal-status', {
    config: { role: 'viewer' },
    schema: {
      tags: ['reference'],
      summary: 'The legal status on a date (as aidr status): the vintage, what the codified and the enforced regime evaluate, the timeline of instruments, BIS\'s posture per provision, the sources',
      querystring: LegalStatusQuery, response: { 200: LegalStatusResponse, 400: Problem, 401: Problem, 403: Problem },
    },
  }, async (request, reply) => {
    const q = parsePart(LegalStatusQuery, request.query ?? {}, 'query');
    return sendJson(reply, 200, legalStatus(q.asOf ?? today()));
  });

  app.post('/v1/veu/checks', {
    config: { role: 'analyst' },
    schema: {
      tags: ['veu'], summary: 'Data Center VEU: eligibility (748.15(b)(2)), UVEU geographic limits (Supp. 10 para. 6), NVEU quarterly caps (Table 1)',
      body: VeuRequest, response: { 200: VeuResult, 400: Problem, 401: Problem, 403: Problem },
    },
  }, async (request, reply) => {
    if (request.body === undefined || request.body === null) throw new ApiProblem('malformed-request', 'send a JSON body: { "party": …, "uveu": …, "nveu": … }');
    const input = parsePart(VeuRequest, request.body, 'body');
    return sendJson(reply, 200, veuCheck(input, today()));
  });

  app.get('/healthz', {
    config: { role: 'public' },
    schema: { tags: ['operations'], summary: 'The process is up', security: [], response: { 200: Health } },
  }, async (_request, reply) => sendJson(reply, 200, { status: 'ok' }));

  app.get('/readyz', {
    config: { role: 'public' },
    schema: { tags: ['operations'], summary: 'The database answers a real read (503 with the reason when it does not: unreachable, damaged, busy)', security: [], response: { 200: Health, 503: Problem } },
  }, async (_request, reply) => {
    // A real read of the store (SQLite: on a fresh connection, with a periodic integrity check),
    // not "select 1": a damaged or replaced file must say so.
    try {
      await ctx.store.check();
    } catch (e) {
      throw new ApiProblem('unavailable', `the database is not ready: ${(e as Error).message?.slice(0, 300)}`, undefined, { retryAfter: 5 }, { 'retry-after': '5' });
    }
    return sendJson(reply, 200, { status: 'ok', store: ctx.store.dialect });
  });

  app.get('/metrics', {
    config: { role: 'viewer' },
    schema: { tags: ['operations'], summary: 'Prometheus metrics (text exposition format)', response: { 200: z.string(), 401: Problem, 403: Problem } },
  }, async (_request, reply) => reply.code(200).type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()));

  let doc: string | undefined;
  /** The generator marks each component with $schema and a fragment-only $id; OpenAPI 3.1 sets the dialect once for the document. */
  const openapi = () => {
    const d = app.swagger() as { components?: { schemas?: Record<string, Record<string, unknown>> }; paths?: Record<string, Record<string, Operation>> };
    for (const s of Object.values(d.components?.schemas ?? {})) {
      delete s.$schema;
      delete s.$id;
    }
    for (const [path, ops] of Object.entries(d.paths ?? {})) for (const op of Object.values(ops)) describeAsSent(path, op);
    return d;
  };
  app.get('/openapi.json', {
    config: { role: 'public' },
    schema: { tags: ['operations'], summary: 'This OpenAPI 3.1 document', security: [], hide: false },
  }, async (_request, reply) => reply.code(200).type('application/json; charset=utf-8').send((doc ??= JSON.stringify(openapi()))));
}

interface Operation { responses?: Record<string, { description?: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }> }

/**
 * The generator declares every response as application/json. Say what is sent: problems as
 * application/problem+json (RFC 9457), the metrics as Prometheus text, and the headers that
 * carry meaning (Location of a recorded commit, Retry-After of a 429).
 */
function describeAsSent(path: string, op: Operation): void {
  for (const [status, r] of Object.entries(op.responses ?? {})) {
    const json = r.content?.['application/json'] as { schema?: { $ref?: string } } | undefined;
    if (json?.schema?.$ref === '#/components/schemas/Problem') r.content = { 'application/problem+json': json };
    if (path === '/metrics' && status === '200') r.content = { 'text/plain; version=0.0.4': { schema: { type: 'string' } } };
    if (status === '201' && path === '/v1/determinations') r.headers = { Location: { description: 'the audit record of the commit', schema: { type: 'string' } } };
    if (status === '429') r.headers = { 'Retry-After': { description: 'seconds until a request is allowed again', schema: { type: 'integer' } } };
    if (r.description === 'Default Response') r.description = Number(status) >= 400 ? 'a problem document (RFC 9457)' : 'success';
  }
}
