/**
 * The regime a request asks for: `?regime=codified|enforced` on the URL, or `options.regime` in the
 * body (POST /v1/determinations, /v1/what-if). Both may be given only when they agree, so that
 * no request is answered under a regime its sender did not mean.
 */
import { z } from 'zod';
import { RegimeId } from '../contract/determination.js';
import type { EvalOptions } from '../engine/context.js';
import { ApiProblem } from './problem.js';
import { parsePart } from './server.js';

/** Other query parameters are ignored, as they were before this one existed. */
export const RegimeQuery = z.object({
  regime: RegimeId.optional().describe('the regime the top-level fields answer: codified (the EAR as written, default) or enforced (as BIS enforces it); both are always in regimes[]. Same as options.regime in the body'),
});

/** The options with the query's regime applied (a 400 naming query.regime when it is not one, or contradicts the body). */
export function withQueryRegime(query: unknown, options: EvalOptions, bodyPath = 'body.options.regime'): EvalOptions {
  const q = parsePart(RegimeQuery, query ?? {}, 'query');
  if (q.regime === undefined) return options;
  if (options.regime !== undefined && options.regime !== q.regime) {
    throw new ApiProblem('validation', `query.regime: "${q.regime}" contradicts ${bodyPath} "${options.regime}"; give one`, [{ path: 'query.regime', message: `contradicts ${bodyPath}` }]);
  }
  return { ...options, regime: q.regime };
}
