import type { ErrorBody } from '../../../src/realtime/contract';

/** A REST error with the server's code (`{ error: { code, message } }`). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** RATE_LIMITED: how long to wait before trying again (the error's retryAfterMs or Retry-After). */
    readonly retryAfterMs?: number,
    /** VALIDATION_FAILED: the offending fields (the error's `fields`). */
    readonly fields?: string[],
  ) {
    super(message);
  }
}

/** A read that was rate-limited is tried once more after the server's wait, if that wait is short. */
const MAX_AUTO_WAIT_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** JSON over fetch against Lotse's own origin; the token goes only into the Authorization header. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  try {
    return await request<T>(path, init);
  } catch (err) {
    // only reads are repeated on their own: a write the user asked for is theirs to repeat
    const read = (init.method ?? 'GET') === 'GET';
    if (!read || !(err instanceof ApiError) || err.code !== 'RATE_LIMITED' || err.retryAfterMs === undefined || err.retryAfterMs > MAX_AUTO_WAIT_MS) throw err;
    await sleep(err.retryAfterMs);
    return request<T>(path, init);
  }
}

async function request<T>(path: string, init: { method?: string; body?: unknown; token?: string }): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  let res: Response;
  try {
    // (typed as the browser's RequestInit: Node's, seen by the unit tests' type check, has no `cache`)
    const request = {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: 'omit',
      cache: 'no-store',
    } as RequestInit;
    res = await fetch(path, request);
  } catch {
    throw new ApiError('NETWORK', 'network error', 0);
  }
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : {};
  if (!res.ok) {
    const err = (data as { error?: ErrorBody }).error;
    const header = Number(res.headers.get('Retry-After'));
    const retryAfterMs = err?.retryAfterMs ?? (Number.isFinite(header) && header > 0 ? header * 1000 : undefined);
    throw new ApiError(err?.code ?? 'INTERNAL', err?.message ?? res.statusText, res.status, retryAfterMs, err?.fields);
  }
  return data as T;
}

/** A refused answer as an ApiError (the server's `{ error }` body, or the status alone). */
async function refusal(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let err: ErrorBody | undefined;
  try {
    err = text ? (JSON.parse(text) as { error?: ErrorBody }).error : undefined;
  } catch {
    err = undefined;
  }
  // a proxy or the body parser may refuse a large upload before Lotse sees it
  const code = err?.code ?? (res.status === 413 ? 'PAYLOAD_TOO_LARGE' : res.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INTERNAL');
  return new ApiError(code, err?.message ?? res.statusText, res.status, err?.retryAfterMs, err?.fields);
}

/** A multipart upload (one field `file`) to Lotse's own origin; the token only in the header. */
export async function upload<T>(path: string, file: Blob, name: string, token: string, method: 'POST' | 'PUT' = 'POST'): Promise<T> {
  const form = new FormData();
  form.append('file', file, name);
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
      body: form,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('NETWORK', 'network error', 0);
  }
  if (!res.ok) throw await refusal(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}

/** A file the server sends as an attachment, fetched with the token (a plain link could not carry it). */
export async function download(path: string, token: string): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError('NETWORK', 'network error', 0);
  }
  if (!res.ok) throw await refusal(res);
  return res.blob();
}
