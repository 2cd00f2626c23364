/**
 * The JSON body parser: exact numbers (parseJsonExact: 10^26 − 1 stays below the 4E091 threshold
 * instead of becoming 1e26), strict UTF-8 (an invalid byte sequence is refused with its byte
 * offset, never stored as U+FFFD), and otherwise Fastify's behaviour (bodyLimit → 413, empty body,
 * `__proto__` and `constructor.prototype` refused, invalid JSON → 400).
 */
import { isUtf8 } from 'node:buffer';
import { errorCodes, type FastifyError, type FastifyInstance } from 'fastify';
import { firstInvalidUtf8, parseJsonExact } from '../contract/json.js';

function badRequest(message: string): FastifyError {
  const err = new Error(message) as FastifyError;
  err.statusCode = 400;
  (err as { code: string }).code = 'FST_ERR_CTP_INVALID_JSON_BODY';
  return err;
}

export function registerJsonParser(app: FastifyInstance): void {
  // JSON only: Fastify would otherwise hand a text/plain body to the handlers as a string.
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    // JSON is UTF-8 (RFC 8259 §8.1): a body said to be in another charset would be read wrongly.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(String(request.headers['content-type'] ?? ''))?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      done(badRequest(`the body is declared as charset ${charset.slice(0, 40)}: send JSON as UTF-8`), undefined);
      return;
    }
    if (bytes.length === 0) {
      done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
      return;
    }
    if (!isUtf8(bytes)) {
      done(badRequest(`the body is not valid UTF-8: an invalid byte sequence at byte offset ${firstInvalidUtf8(bytes)}`), undefined);
      return;
    }
    try {
      done(null, parseJsonExact(bytes.toString('utf8')));
    } catch (e) {
      done(badRequest((e as Error).message), undefined);
    }
  });
}
