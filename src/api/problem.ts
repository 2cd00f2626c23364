/**
 * Errors as RFC 9457 problem details (`application/problem+json`):
 * `{ type, title, status, detail, instance, errors: [{ path, message }] }`, where `errors` names
 * every offending field by its path in the request (`body.consignee.country`,
 * `query.limit`, `body[3].item.tpp`).
 *
 * The rule for 400 versus 422: 400 when the request is not what the schema describes (malformed
 * JSON, a wrong type, a missing or unknown field, a value outside its enumeration or range, an
 * unknown country or chip); 422 when it is, but it cannot be carried out as asked (an unknown
 * interpretation reading, a commit naming an exception that is not eligible, an LPP commit
 * without the consignee id the ledger keys on, an account id of an unknown form).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { formatPath } from '../contract/parse.js';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/** The problem types this service uses: slug → [status, title]. */
export const PROBLEM_TYPES = {
  'malformed-request': [400, 'Malformed request'],
  validation: [400, 'Invalid request'],
  unauthorized: [401, 'Authentication required'],
  forbidden: [403, 'Not allowed for this key\'s role'],
  'not-found': [404, 'Not found'],
  'method-not-allowed': [405, 'Method not allowed'],
  'request-timeout': [408, 'Request timeout'],
  'cap-exceeded': [409, 'Cap exceeded'],
  'idempotency-conflict': [409, 'Idempotency key conflict'],
  conflict: [409, 'Conflict'],
  'too-large': [413, 'Request too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  'headers-too-large': [431, 'Request headers too large'],
  unprocessable: [422, 'Cannot be carried out as asked'],
  'rate-limited': [429, 'Too many requests'],
  internal: [500, 'Internal error'],
  unavailable: [503, 'Service unavailable'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

/** The `type` URI of a problem: a URN (aidr owns no domain), documented in docs/http.md. */
export const problemType = (slug: ProblemSlug): string => `urn:aidr:problem:${slug}`;

/** Thrown by handlers and hooks; the error handler turns it into a problem response. */
export class ApiProblem extends Error {
  readonly status: number;
  constructor(
    readonly slug: ProblemSlug,
    detail: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'ApiProblem';
    this.status = PROBLEM_TYPES[slug][0];
  }
}

export function problemBody(slug: ProblemSlug, detail: string, instance: string, errors?: FieldError[], extra?: Record<string, unknown>): Problem {
  const [status, title] = PROBLEM_TYPES[slug];
  const p: Problem = { type: problemType(slug), title, status, detail: cut(detail, MAX_DETAIL), instance: cut(instance, MAX_PATH) };
  if (errors && errors.length) p.errors = errors;
  if (extra) for (const [k, v] of Object.entries(extra)) if (!(k in p)) p[k] = v;
  return p;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, p: ApiProblem): FastifyReply {
  if (p.headers) for (const [k, v] of Object.entries(p.headers)) reply.header(k, v);
  // The instance is the request path (no query: it may carry filters a log should not repeat).
  const instance = request.url.split('?', 1)[0]!;
  const body = problemBody(p.slug, p.message, instance, p.errors, p.extra);
  return reply.code(p.status).type('application/problem+json').send(JSON.stringify(body));
}

/**
 * Bounds on an error's size: a request can hold 90,000 unknown keys or a path 3,000 levels deep,
 * and its answer must not be megabytes of error. At most MAX_ERRORS field errors (the detail and
 * `omitted` say how many more), MAX_KEYS unknown keys named per error, paths and messages cut.
 */
export const MAX_ERRORS = 20;
const MAX_KEYS = 10;
const MAX_PATH = 300;
const MAX_MESSAGE = 500;
const MAX_DETAIL = 1000;

export const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, Math.floor(max / 2))}…${s.slice(s.length - Math.floor(max / 2) + 1)}`);

/** zod issues → field errors with paths prefixed by the request part (`body`, `query`, `params`). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix: string): FieldError[] {
  return issues.slice(0, MAX_ERRORS).map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      const path = keys.length === 1 ? [...issue.path, keys[0]!] : issue.path;
      const named = keys.slice(0, MAX_KEYS).map((k) => cut(k, 50)).join(', ');
      const more = keys.length > MAX_KEYS ? ` and ${keys.length - MAX_KEYS} more` : '';
      return { path: cut(formatPath(path, prefix), MAX_PATH), message: `unknown field${keys.length > 1 ? 's' : ''}: ${named}${more}` };
    }
    return { path: cut(formatPath(issue.path, prefix), MAX_PATH), message: cut(issue.message, MAX_MESSAGE) };
  });
}

/** A 400 naming the offending fields (at most MAX_ERRORS); the detail repeats the first and says how many more there are. */
export function validationProblem(issues: readonly z.core.$ZodIssue[], prefix: string): ApiProblem {
  const errors = fieldErrors(issues, prefix);
  const first = errors[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ApiProblem('validation', `${first.path}: ${first.message}${more}`, errors, issues.length > errors.length ? { omitted: issues.length - errors.length } : undefined);
}

/** Join a request-part prefix and a path as formatted by the engine ("(root)", "[2].item", "consignee.country"). */
export function joinPath(prefix: string, path: string): string {
  if (path === '(root)' || path === '') return prefix || '(root)';
  if (!prefix) return path;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}
