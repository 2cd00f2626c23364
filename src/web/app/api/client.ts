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
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
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
