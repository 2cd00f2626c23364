/**
 * `POST /v1/what-if`: the smallest changes of fact that would change a determination, each
 * evaluated by the engine (src/engine/what-if.ts); and `POST /v1/ledger/view`: the ledger view
 * (LPP TPP already used, AIA cumulative, the country's licensed TPP) this store would decide a
 * transaction on, as `aidr check --commit` builds it, for callers that evaluate before committing.
 *
 * The body of both is a bare Transaction or `{ transaction, options }`. Without `options.ledger`,
 * what-if reads the ledger view from the store: "at most N units under LPP" counts what the
 * consignee already received this year.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defaultReading } from '../../data/interpretations.js';
import { readingsFrom, InputError, type EvalOptions } from '../../engine/context.js';
import { today } from '../../engine/determine.js';
import { whatIf } from '../../engine/what-if.js';
import { Transaction } from '../../contract/transaction.js';
import { EvalOptionsSchema } from '../../contract/options.js';
import { ApiProblem } from '../problem.js';
import { Problem } from '../schemas.js';
import { RegimeQuery, withQueryRegime } from '../regime.js';
import { parsePart, sendJson, toProblem, type ApiContext } from '../server.js';

const Envelope = z.strictObject({ transaction: z.unknown(), options: EvalOptionsSchema.optional() });

export const WhatIfRequest = z.union([Transaction, z.strictObject({ transaction: Transaction, options: EvalOptionsSchema.optional() })])
  .describe('A Transaction, or { transaction, options } (options as for POST /v1/determinations)');

const FactChange = z.object({ path: z.string(), from: z.unknown(), to: z.unknown() });
export const WhatIfResponse = z.object({
  outcome: z.string(),
  eccn: z.string().nullable(),
  exceptions: z.array(z.object({
    code: z.string(), status: z.string(), summary: z.string(),
    blockers: z.array(z.object({ condition: z.string(), status: z.string(), citation: z.string(), detail: z.string().optional(), changeable: z.boolean(), note: z.string() })),
    changes: z.array(FactChange).optional(),
    evaluated: z.object({ outcome: z.string(), status: z.string() }).optional(),
  })),
  missingFacts: z.array(z.object({ path: z.string(), answers: z.array(z.object({ value: z.unknown(), outcome: z.string(), eligible: z.array(z.string()) })) })),
  classification: z.array(z.object({
    measure: z.string(), current: z.string(), threshold: z.string(), citation: z.string(), direction: z.enum(['up', 'down']),
    distance: z.string(), across: z.array(z.string().nullable()), summary: z.string(),
  })),
  evaluations: z.number().int(),
  ledger: z.record(z.string(), z.unknown()).optional().describe('the ledger view the answer was computed on'),
});

export const LedgerViewResponse = z.object({
  lppUsedTpp: z.string().optional(), lppUsedTppByReading: z.record(z.string(), z.string()).optional(),
  aiaCumulativeTpp: z.string().optional(), countryLicensedTpp: z.string().optional(),
}).describe('A ledger view (options.ledger of POST /v1/determinations), TPP as exact decimal strings');

function parseRequest(body: unknown): { tx: Transaction; options: EvalOptions } {
  if (body === undefined || body === null) throw new ApiProblem('malformed-request', 'send a JSON body: a Transaction, or { "transaction": …, "options": … }');
  if (typeof body === 'object' && !Array.isArray(body) && 'transaction' in body) {
    const e = parsePart(Envelope, body, 'body');
    const tx = parsePart(Transaction, e.transaction, 'body.transaction');
    const options = (e.options ?? {}) as EvalOptions;
    if (options.interpretations) {
      try {
        readingsFrom(options.interpretations);
      } catch (err) {
        throw toProblem(err, 'body.options');
      }
    }
    return { tx, options };
  }
  return { tx: parsePart(Transaction, body, 'body'), options: {} };
}

async function storeView(ctx: ApiContext, tx: Transaction, options: EvalOptions) {
  const { buildLedgerView } = await import('../../ledger/view.js');
  const asOf = options.asOf ?? tx.date ?? today();
  const reading = (options.interpretations?.['INT-7'] ?? defaultReading('INT-7')) as 'ultimate_parent' | 'owner';
  return (await buildLedgerView(ctx.store, tx, asOf, reading)).view;
}

export function registerWhatIfRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/what-if', {
    config: { role: 'analyst' },
    schema: {
      tags: ['determinations'],
      summary: 'What would change the answer: the largest LPP quantity, direct shipment, the facts each unavailable exception needs (and which cannot be changed), the answer under each value of a missing fact, the distance to each classification threshold; every change evaluated by the engine',
      querystring: RegimeQuery,
      body: WhatIfRequest,
      response: { 200: WhatIfResponse, 400: Problem, 401: Problem, 403: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    const parsed = parseRequest(request.body);
    const tx = parsed.tx;
    const options = withQueryRegime(request.query, parsed.options);
    const ledger = options.ledger ?? (await storeView(ctx, tx, options));
    try {
      return sendJson(reply, 200, { ...whatIf(tx, { ...options, ledger }), ledger });
    } catch (e) {
      if (e instanceof InputError) throw toProblem(e, 'body');
      throw e;
    }
  });

  app.post('/v1/ledger/view', {
    config: { role: 'viewer' },
    schema: {
      tags: ['ledger'],
      summary: 'The ledger view this store would decide a transaction on (LPP TPP used this year by its ultimate consignee, AIA cumulative, the country\'s licensed TPP): pass it as options.ledger to evaluate as a commit would',
      body: WhatIfRequest,
      response: { 200: LedgerViewResponse, 400: Problem, 401: Problem, 403: Problem },
    },
  }, async (request, reply) => {
    const { tx, options } = parseRequest(request.body);
    return sendJson(reply, 200, await storeView(ctx, tx, options));
  });
}
