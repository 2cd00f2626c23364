/**
 * Ledger routes: read accounts and their movements (viewer); reserve, commit and release
 * (officer, with the key id as the actor). The account ids are those of docs/ledger.md; put
 * one in a path URL-encoded (`lpp%3A2025%3Aultimate_parent%3AACME`).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { accountId, parseAccountId } from '../../ledger/accounts.js';
import { ApiProblem } from '../problem.js';
import {
  AccountState, AccountsQuery, IdParams, Movement, MovementsQuery, Problem, ReservationResult, ReserveRequest, SettleRequest, TransferRequest, TransferResult,
} from '../schemas.js';
import { parsePart, sendJson, toProblem, type ApiContext } from '../server.js';
import { z } from 'zod';

const ledger = () => import('../../ledger/index.js');

export function registerLedgerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  /** A ledger write: 201 when it happened now, 200 when replayed; a refused cap counted and answered 409. */
  async function created(reply: FastifyReply, write: () => Promise<{ replayed: boolean }>) {
    try {
      const r = await write();
      return sendJson(reply, r.replayed ? 200 : 201, r);
    } catch (e) {
      const p = toProblem(e);
      if (p.slug === 'cap-exceeded') ctx.metrics.capExceeded.inc();
      throw p.status >= 500 ? e : p;
    }
  }

  app.get('/v1/ledger/accounts', {
    config: { role: 'viewer' },
    schema: {
      tags: ['ledger'], summary: 'Accounts with used, reserved, cap and what is left (TPP as exact decimal strings)',
      querystring: AccountsQuery, response: { 200: z.array(AccountState), 400: Problem, 401: Problem, 403: Problem },
    },
  }, async (request, reply) => {
    const q = parsePart(AccountsQuery, request.query, 'query');
    const L = await ledger();
    const all = await L.listAccounts(ctx.store, { ...(q.kind ? { kind: q.kind } : {}), ...(q.key ? { key: q.key } : {}), ...(q.date ? { asOf: q.date } : {}) });
    // uveu_group rows are the ledger's internal lock rows, not accounts anyone draws on.
    return sendJson(reply, 200, all.filter((a) => a.kind !== 'uveu_group'));
  });

  app.get('/v1/ledger/accounts/:id', {
    config: { role: 'viewer' },
    schema: { tags: ['ledger'], summary: 'One account', params: IdParams, response: { 200: AccountState, 401: Problem, 403: Problem, 404: Problem } },
  }, async (request, reply) => {
    const id = canonicalId(parsePart(IdParams, request.params, 'params').id);
    const a = await (await ledger()).getAccount(ctx.store, id);
    if (!a) throw new ApiProblem('not-found', `no account ${id.slice(0, 200)}`);
    return sendJson(reply, 200, a);
  });

  app.get('/v1/ledger/accounts/:id/movements', {
    config: { role: 'viewer' },
    schema: {
      tags: ['ledger'], summary: 'An account\'s movements, oldest first (append-only); page with limit and after=<last seq>',
      params: IdParams, querystring: MovementsQuery, response: { 200: z.array(Movement), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
    },
  }, async (request, reply) => {
    const id = canonicalId(parsePart(IdParams, request.params, 'params').id);
    const q = parsePart(MovementsQuery, request.query, 'query');
    const L = await ledger();
    if (!(await L.getAccount(ctx.store, id))) throw new ApiProblem('not-found', `no account ${id.slice(0, 200)}`);
    return sendJson(reply, 200, await L.history(ctx.store, id, q.limit ?? 1000, q.after === undefined ? undefined : BigInt(q.after)));
  });

  app.post('/v1/ledger/reserve', {
    config: { role: 'officer' },
    schema: {
      tags: ['ledger'], summary: 'Hold TPP against an account\'s cap until commit, release or expiry (201; 200 when replayed under the same idempotency key; 409 when the cap would be exceeded, with leftTpp)',
      body: ReserveRequest, response: { 200: ReservationResult, 201: ReservationResult, 400: Problem, 401: Problem, 403: Problem, 409: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    const b = parsePart(ReserveRequest, request.body, 'body');
    const L = await ledger();
    return created(reply, () => L.reserve(ctx.store, {
      account: b.account, tpp: b.tpp, actor: request.principal.keyId,
      ...(b.date ? { date: b.date } : {}), ...(b.ttlSeconds ? { ttlSeconds: b.ttlSeconds } : {}),
      ...(b.idempotencyKey ? { idempotencyKey: b.idempotencyKey } : {}), ...(b.ref ? { ref: b.ref } : {}),
    }));
  });

  app.post('/v1/ledger/transfer', {
    config: { role: 'officer' },
    schema: {
      tags: ['ledger'], summary: 'Move installed TPP between two countries of one NVEU or UVEU, checked as one act: both movements or neither (201; 200 when replayed under the same idempotency key; 409 when a limit would be breached)',
      body: TransferRequest, response: { 200: TransferResult, 201: TransferResult, 400: Problem, 401: Problem, 403: Problem, 409: Problem, 422: Problem },
    },
  }, async (request, reply) => {
    const b = parsePart(TransferRequest, request.body, 'body');
    const L = await ledger();
    return created(reply, () => L.transfer(ctx.store, {
      from: b.from, to: b.to, tpp: b.tpp, actor: request.principal.keyId,
      ...(b.date ? { date: b.date } : {}), ...(b.idempotencyKey ? { idempotencyKey: b.idempotencyKey } : {}), ...(b.ref ? { ref: b.ref } : {}),
      ...(b.headquarters ? { headquarters: b.headquarters } : {}), ...(b.ultimateParentHeadquarters ? { ultimateParentHeadquarters: b.ultimateParentHeadquarters } : {}),
      ...(b.interpretations ? { interpretations: b.interpretations } : {}),
    }));
  });

  for (const [name, verb] of [['commit', 'Turn a reservation into use'], ['release', 'Give a reservation\'s room back']] as const) {
    app.post(`/v1/ledger/${name}`, {
      config: { role: 'officer' },
      schema: {
        tags: ['ledger'], summary: `${verb} (doing it twice is harmless: replayed: true); 404 for an unknown reservation, 409 when it is in another state`,
        body: SettleRequest, response: { 200: ReservationResult, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem },
      },
    }, async (request, reply) => {
      const b = parsePart(SettleRequest, request.body, 'body');
      const L = await ledger();
      const who = { actor: request.principal.keyId };
      const r = name === 'commit' ? await L.commitReservation(ctx.store, b.reservationId, who) : await L.releaseReservation(ctx.store, b.reservationId, who);
      return sendJson(reply, 200, r);
    });
  }
}

/**
 * Any spelling of an account's consignee finds it, as `aidr ledger show` does (ids are normalized:
 * `lpp:2025:ultimate_parent:P1` is `…:p1`; red team, 2026-12-06). An id this version cannot read
 * is looked up as given (and is then not found).
 */
function canonicalId(id: string): string {
  try {
    return accountId(parseAccountId(id));
  } catch {
    return id;
  }
}
