/**
 * What the service checks about a request before it knows who sent it:
 * - **Loopback without authentication is for this machine only.** Without `--auth`, `aidr serve`
 *   answers requests without a key as a local officer; a web page on another site can make the
 *   browser send such requests to 127.0.0.1 after pointing its own host name there (DNS
 *   rebinding). So in that mode a request whose `Host` is not a loopback name or address, or that
 *   carries an `Origin` of another host, is refused. The check runs first in the onRequest hook
 *   of the root instance, so it also covers routes that plugins register (a web UI) and unknown
 *   paths.
 * - **Failed authentication is rate-limited per client address**: past the limit, requests from
 *   that address are refused with 429 and Retry-After before any key is looked up.
 * - **A refused request's body is not read**: the answer carries `Connection: close`, so the
 *   connection ends once it is sent instead of Node reading (and discarding) the rest of a body
 *   that may be gigabytes long.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback } from './config.js';
import { ApiProblem } from './problem.js';

/** The host name of a Host header or an origin (`[::1]:8080` → `::1`), lower-cased. */
function hostName(hostAndPort: string): string {
  const h = hostAndPort.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

const local = (host: string): boolean => isLoopback(host) || host.endsWith('.localhost');

/** In the no-authentication loopback mode: refuse a request addressed to another host name, or sent from a page of another origin. */
export function checkLocalRequest(request: FastifyRequest): void {
  const host = request.headers.host;
  if (host !== undefined && !local(hostName(host))) {
    throw new ApiProblem('forbidden', `this service runs without authentication for this machine only, and the request is addressed to "${host.slice(0, 100)}", not a loopback name: refused (DNS rebinding); start it with --auth to serve other names`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = origin === 'null' ? undefined : hostName(new URL(origin).host);
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || !local(originHost)) {
      throw new ApiProblem('forbidden', `this service runs without authentication for this machine only, and the request comes from a page of "${origin.slice(0, 100)}": refused (a site cannot act as the local officer); start it with --auth and use an API key`);
    }
  }
}

/** Does the request carry a body (that a refusal before reading it should not read)? */
export function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** Answer without reading the body: close the connection once the answer is sent. */
export function closeAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  if (hasBody(request)) reply.header('connection', 'close');
}
