/** API key administration (role admin): create (the token is shown once), list, revoke. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createKey, getKey, listKeys, revokeKey } from '../keys.js';
import { ApiProblem } from '../problem.js';
import { IdParams, KeyCreateRequest, KeyCreated, KeyInfo, Problem } from '../schemas.js';
import { parsePart, sendJson, type ApiContext } from '../server.js';

export function registerKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/v1/keys', {
    config: { role: 'admin' },
    schema: {
      tags: ['keys'], summary: 'Create an API key; the response carries the token, which is not stored and cannot be shown again',
      body: KeyCreateRequest, response: { 201: KeyCreated, 400: Problem, 401: Problem, 403: Problem },
    },
  }, async (request, reply) => {
    const b = parsePart(KeyCreateRequest, request.body, 'body');
    const k = await createKey(ctx.store, { role: b.role, ...(b.name !== undefined ? { name: b.name } : {}), createdBy: request.principal.keyId });
    return sendJson(reply, 201, k);
  });

  app.get('/v1/keys', {
    config: { role: 'admin' },
    schema: { tags: ['keys'], summary: 'List API keys (never their tokens or hashes)', response: { 200: z.array(KeyInfo), 401: Problem, 403: Problem } },
  }, async (_request, reply) => sendJson(reply, 200, await listKeys(ctx.store)));

  app.delete('/v1/keys/:id', {
    config: { role: 'admin' },
    schema: {
      tags: ['keys'], summary: 'Revoke an API key (kept, marked revoked: audit records name it); revoking twice is harmless',
      params: IdParams, response: { 200: KeyInfo, 401: Problem, 403: Problem, 404: Problem },
    },
  }, async (request, reply) => {
    const { id } = parsePart(IdParams, request.params, 'params');
    if (!(await getKey(ctx.store, id))) throw new ApiProblem('not-found', `no API key ${id.slice(0, 100)}`);
    const k = await revokeKey(ctx.store, id, request.principal.keyId);
    ctx.keys.forget(id);
    return sendJson(reply, 200, k);
  });
}
