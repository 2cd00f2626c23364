/**
 * The one door to the HTTP API: same origin, the session cookie, the CSRF token on every
 * state-changing request, and problem documents (RFC 9457) turned into ApiError with their
 * field errors.
 */
export interface FieldError { path: string; message: string }

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly errors: FieldError[] = [], readonly body?: Record<string, unknown>) {
    super(message);
  }
}

let csrf: string | undefined;
let onUnauthorized: () => void = () => {};

export function setCsrf(token: string | undefined): void {
  csrf = token;
}

export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return request<T>(method, path, body === undefined ? undefined : { text: JSON.stringify(body), type: 'application/json' });
}

/** A request whose body is a file as it is (an order book as JSON Lines), not JSON. */
export const postText = <T>(path: string, text: string, type: string) => request<T>('POST', path, { text, type });

/** A response that is text (JSON Lines results), with the same errors as `api`. */
export const getText = (path: string) => request<string>('GET', path, undefined, true);

async function request<T>(method: string, path: string, body: { text: string; type: string } | undefined, asText = false): Promise<T> {
  const headers: Record<string, string> = { accept: asText ? '*/*' : 'application/json' };
  if (body !== undefined) headers['content-type'] = body.type;
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, { method, headers, body: body?.text, credentials: 'same-origin' });
  const text = await res.text();
  if (asText && res.ok) return text as T;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const p = (json ?? {}) as { detail?: string; title?: string; errors?: FieldError[] };
    if (res.status === 401 && !path.startsWith('/v1/session')) onUnauthorized();
    throw new ApiError(res.status, p.detail ?? p.title ?? `${res.status} ${res.statusText}`, p.errors ?? [], json as Record<string, unknown>);
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);
