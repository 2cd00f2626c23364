/**
 * Routes the workbench (src/web) needs beyond the core API, usable by any client:
 * - `GET /v1/reference`: countries by name with their groups today, end uses, activities, and the
 *   figures the ledger pages draw against (LPP cap, AIA reporting trigger, country allocation),
 *   each with its citation, all from data/;
 * - `GET /v1/audit/records`: the audit log searched by transaction id / PO, consignee, destination,
 *   shipment date and outcome (fields of the stored input and output), newest first;
 * - `POST /v1/determinations/{id}/replay`: re-evaluate a stored record and list the differences
 *   (as `aidr audit replay`).
 */
import type { FastifyInstance } from 'fastify';
import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { allCountries } from '../../data/countries.js';
import { countryOn } from '../../data/country-groups.js';
import { ALLOCATION, AIA, LPP, P } from '../../data/parameters.js';
import { ACTIVITIES, END_USES, IsoDate } from '../../contract/transaction.js';
import { Outcome } from '../../contract/determination.js';
import { today } from '../../engine/determine.js';
import type { Store } from '../../store/open.js';
import { ApiProblem } from '../problem.js';
import { AuditPage, IdParams, Problem, StoredText } from '../schemas.js';
import { parsePart, sendJson, toProblem, type ApiContext } from '../server.js';

const figure = (value: { toFixed(): string }, citation: string) => ({ tpp: value.toFixed(), citation });

function reference() {
  const day = today();
  return {
    date: day,
    countries: allCountries().map((code) => {
      const c = countryOn(code, day);
      return { code, name: c.aliasOf ? `${c.name} (${code}, treated as ${c.code})` : c.name, groups: [...c.groups], supp5a: c.supp5a, tier: c.tier };
    }).sort((a, b) => a.name.localeCompare(b.name)),
    endUses: END_USES,
    activities: ACTIVITIES,
    figures: {
      lppAnnualCap: figure(LPP.annualCap, P.lpp.annualCumulativeTpp.citation),
      lppNotice: figure(LPP.noticeThreshold, P.lpp.advanceNoticeShipmentTpp.citation),
      aiaReporting: figure(AIA.reportingThreshold, P.aia.reportingCumulativeTpp.citation),
      countryAllocation: figure(ALLOCATION.tpp, P.countryAllocation.tpp.citation),
    },
  };
}

export const ReferenceResponse = z.object({
  date: z.string(),
  countries: z.array(z.object({ code: z.string(), name: z.string(), groups: z.array(z.string()), supp5a: z.boolean(), tier: z.number() })),
  endUses: z.array(z.string()),
  activities: z.array(z.string()),
  figures: z.record(z.string(), z.object({ tpp: z.string(), citation: z.string() })),
});

export const AuditSearchQuery = z.strictObject({
  q: StoredText(200).min(1).optional().describe('transaction id / PO: records whose transaction id contains this'),
  consignee: StoredText(200).min(1).optional().describe('consignee name or id contains this (case-insensitive)'),
  to: z.string().regex(/^[A-Za-z]{2}$/, 'a country code').transform((s) => s.toUpperCase()).optional(),
  date: IsoDate.optional().describe('the shipment date of the transaction'),
  outcome: Outcome.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  before: z.coerce.number().int().min(1).optional().describe('continue with records before this seq (newest first)'),
});

function field(store: Store, column: 'input' | 'output' | 'effects', path: string[]): RawBuilder<string | null> {
  if (store.dialect === 'postgres') {
    return sql<string | null>`(${sql.ref(column)}::jsonb #>> ${sql.lit(`{${path.join(',')}}`)})`;
  }
  return sql<string | null>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${path.join('.')}`)})`;
}

/** The field contains the text, case-insensitively; LIKE's wildcards in the text are literal (ESCAPE, on both back ends). */
function contains(value: RawBuilder<string | null>, text: string): RawBuilder<boolean> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(coalesce(${value}, '')) like ${pattern} escape '\\'`;
}

export function registerWorkbenchRoutes(app: FastifyInstance, ctx: ApiContext): void {
  let ref: string | undefined;
  let refDay = '';
  app.get('/v1/reference', {
    config: { role: 'viewer' },
    schema: { tags: ['reference'], summary: 'Countries by name with their country groups today, end uses, activities, and the rule\'s ledger figures with citations', response: { 200: ReferenceResponse, 401: Problem, 403: Problem } },
  }, async (_request, reply) => {
    if (refDay !== today()) {
      ref = JSON.stringify(reference());
      refDay = today();
    }
    return reply.code(200).type('application/json; charset=utf-8').send(ref);
  });

  app.get('/v1/audit/records', {
    config: { role: 'viewer' },
    schema: {
      tags: ['audit'], summary: 'Search the audit log by transaction id / PO, consignee, destination, shipment date and outcome (newest first)',
      querystring: AuditSearchQuery, response: { 200: AuditPage, 400: Problem, 401: Problem, 403: Problem },
    },
  }, async (request, reply) => {
    const q = parsePart(AuditSearchQuery, request.query, 'query');
    const store = ctx.store;
    const limit = q.limit ?? 100;
    const txId = field(store, 'input', ['id']);
    const outcome = field(store, 'output', ['outcome']);
    const exception = field(store, 'effects', ['exception']);
    let query = store.db.selectFrom('audit_log')
      .select(['seq', 'id', 'at', 'actor', 'kind', 'ruleset_version', 'hash'])
      .select([outcome.as('outcome'), exception.as('exception'), txId.as('transaction_id')])
      .orderBy('seq', 'desc').limit(limit + 1);
    if (q.before !== undefined) query = query.where('seq', '<', BigInt(q.before));
    if (q.q !== undefined) query = query.where(contains(txId, q.q));
    if (q.consignee !== undefined) {
      const name = contains(field(store, 'input', ['consignee', 'name']), q.consignee);
      const id = contains(field(store, 'input', ['consignee', 'id']), q.consignee);
      query = query.where(sql<boolean>`(${name} or ${id})`);
    }
    if (q.to !== undefined) query = query.where(field(store, 'input', ['to']), '=', q.to);
    if (q.date !== undefined) query = query.where(field(store, 'input', ['date']), '=', q.date);
    if (q.outcome !== undefined) query = query.where(outcome, '=', q.outcome);
    const rows = await query.execute();
    const items = rows.slice(0, limit).map((r) => ({
      seq: Number(r.seq), id: r.id, at: r.at, actor: r.actor, kind: r.kind, transactionId: r.transaction_id ?? null,
      outcome: r.outcome ?? null, exception: r.exception ?? null, rulesetVersion: r.ruleset_version, hash: r.hash,
    }));
    const next = rows.length > limit ? String(items[items.length - 1]!.seq) : null;
    return sendJson(reply, 200, { items, nextCursor: next });
  });

  app.post('/v1/determinations/:id/replay', {
    config: { role: 'analyst' },
    schema: {
      tags: ['audit'], summary: 'Re-evaluate a stored record with its stored options and list the differences (as aidr audit replay)',
      params: IdParams,
      response: { 200: z.object({ id: z.string(), seq: z.number(), identical: z.boolean(), sameVersion: z.boolean(), note: z.string(), differences: z.array(z.object({ path: z.string(), stored: z.unknown(), now: z.unknown() })) }).catchall(z.unknown()), 401: Problem, 403: Problem, 404: Problem },
    },
  }, async (request, reply) => {
    const { id } = parsePart(IdParams, request.params, 'params');
    if (/^\d+$/.test(id) && !/^\d{1,18}$/.test(id)) throw new ApiProblem('not-found', `no audit record ${id.slice(0, 100)}`);
    const { replayAudit } = await import('../../ledger/replay.js');
    try {
      const { determination: _d, ...rest } = await replayAudit(ctx.store, id);
      return sendJson(reply, 200, rest);
    } catch (e) {
      throw toProblem(e);
    }
  });
}
