import type { ErrorBody } from '../../../src/realtime/contract';

/** A REST error with the server's code (`{ error: { code, message } }`). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** JSON over fetch against Lotse's own origin; the token goes only into the Authorization header. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
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
    throw new ApiError(err?.code ?? 'INTERNAL', err?.message ?? res.statusText, res.status);
  }
  return data as T;
}
