/**
 * The audit log over HTTP: one record (`GET /v1/determinations/{id}`), a filtered, paginated
 * listing (`GET /v1/determinations`), and verification of the hash chain
 * (`POST /v1/audit/verify`).
 *
 * Pages follow the chain order (seq ascending); the cursor is the last seq of the page,
 * opaque to clients. Filters on outcome and exception read the stored JSON (json_extract on
 * SQLite, ->> on PostgreSQL), so they are exact, not substring matches.
 */
import type { FastifyInstance } from 'fastify';
import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../../store/open.js';
import { ApiProblem } from '../problem.js';
import { AuditListQuery, AuditPage, AuditRecordResponse, IdParams, Problem, VerifyReport, VerifyRequest } from '../schemas.js';
import { parsePart, sendJson, type ApiContext } from '../server.js';

function jsonField(store: Store, column: 'output' | 'effects' | 'input', field: string): RawBuilder<string | null> {
  return store.dialect === 'postgres'
    ? sql<string | null>`(${sql.ref(column)}::jsonb ->> ${sql.lit(field)})`
    : sql<string | null>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${field}`)})`;
}

const encodeCursor = (seq: number): string => Buffer.from(`seq:${seq}`).toString('base64url');

function decodeCursor(c: string): bigint {
  const m = /^seq:(\d{1,18})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (!m) throw new ApiProblem('validation', 'query.cursor: not a cursor this service issued', [{ path: 'query.cursor', message: 'not a cursor this service issued' }]);
  return BigInt(m[1]!);
}

function parseJsonText(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function registerAuditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/v1/determinations', {
    config: { role: 'viewer' },
    schema: {
      tags: ['audit'],
      summary: 'The audit log: recorded determinations, filtered and paginated (oldest first)',
      querystring: AuditListQuery,
      response: { 200: AuditPage, 400: Problem, 401: Problem, 403: Problem },
    },
  }, async (request, reply) => {
    const q = parsePart(AuditListQuery, request.query, 'query');
    const limit = Math.min(q.limit ?? ctx.limits.defaultPageSize, ctx.limits.maxPageSize);
    const store = ctx.store;
    const outcome = jsonField(store, 'output', 'outcome');
    const exception = jsonField(store, 'effects', 'exception');
    const txId = jsonField(store, 'input', 'id');
    let query = store.db.selectFrom('audit_log')
      .select(['seq', 'id', 'at', 'actor', 'kind', 'ruleset_version', 'hash'])
      .select([outcome.as('outcome'), exception.as('exception'), txId.as('transaction_id')])
      .orderBy('seq').limit(limit + 1);
    if (q.cursor !== undefined) query = query.where('seq', '>', decodeCursor(q.cursor));
    if (q.since !== undefined) query = query.where('at', '>=', q.since);
    if (q.until !== undefined) query = query.where('at', '<', q.until);
    if (q.actor !== undefined) query = query.where('actor', '=', q.actor);
    if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
    if (q.outcome !== undefined) query = query.where(outcome, '=', q.outcome);
    const rows = await query.execute();
    const page = rows.slice(0, limit).map((r) => ({
      seq: Number(r.seq), id: r.id, at: r.at, actor: r.actor, kind: r.kind, transactionId: r.transaction_id ?? null,
      outcome: r.outcome ?? null, exception: r.exception ?? null, rulesetVersion: r.ruleset_version, hash: r.hash,
    }));
    const next = rows.length > limit ? encodeCursor(page[page.length - 1]!.seq) : null;
    return sendJson(reply, 200, { items: page, nextCursor: next });
  });

  app.get('/v1/determinations/:id', {
    config: { role: 'viewer' },
    schema: {
      tags: ['audit'],
      summary: 'One audit record, by its id (uuid) or sequence number: input, options, output, effects and its place in the hash chain',
      params: IdParams,
      response: { 200: AuditRecordResponse, 401: Problem, 403: Problem, 404: Problem },
    },
  }, async (request, reply) => {
    const { id } = parsePart(IdParams, request.params, 'params');
    const { getAudit } = await import('../../store/audit.js');
    // A sequence number past what a database integer holds cannot name a record.
    const r = /^\d{1,18}$/.test(id) || !/^\d+$/.test(id) ? await getAudit(ctx.store, id) : undefined;
    if (!r) throw new ApiProblem('not-found', `no audit record ${id.slice(0, 100)}`);
    return sendJson(reply, 200, {
      seq: r.seq, id: r.id, at: r.at, actor: r.actor, kind: r.kind, rulesetVersion: r.rulesetVersion,
      input: parseJsonText(r.input), options: parseJsonText(r.options), output: parseJsonText(r.output), effects: parseJsonText(r.effects),
      prevHash: r.prevHash, hash: r.hash,
    });
  });

  app.post('/v1/audit/verify', {
    config: { role: 'officer' },
    schema: {
      tags: ['audit'],
      summary: 'Walk the hash chain, check the signatures, report the first record that does not fit (ok: false names it); optionally check an anchor or a checkpoint kept elsewhere',
      description: 'Role officer: it reads the whole log. The body is optional.',
      body: VerifyRequest,
      response: { 200: VerifyReport, 400: Problem, 401: Problem, 403: Problem },
    },
  }, async (request, reply) => {
    const body = parsePart(VerifyRequest, request.body ?? {}, 'body');
    const { verifyAudit } = await import('../../store/audit.js');
    return sendJson(reply, 200, await verifyAudit(ctx.store, { ...(body.anchor ? { anchor: body.anchor } : {}), ...(body.checkpoint ? { checkpoint: body.checkpoint } : {}) }));
  });
}
