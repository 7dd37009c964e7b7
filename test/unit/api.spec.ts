import { api, ApiError } from '../../client/src/lib/api';

type FetchArgs = Parameters<typeof fetch>;

describe('api', () => {
  const realFetch = globalThis.fetch;
  let calls: FetchArgs[];
  afterEach(() => {
    globalThis.fetch = realFetch;
    jest.useRealTimers();
  });

  function answer(...responses: Response[]): void {
    calls = [];
    globalThis.fetch = jest.fn((...args: FetchArgs) => {
      calls.push(args);
      return Promise.resolve(responses.shift()!);
    }) as typeof fetch;
  }
  const limited = (body: object, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status: 429, headers });

  it('should wait retryAfterMs and then repeat a rate-limited read once', async () => {
    jest.useFakeTimers();
    answer(limited({ error: { code: 'RATE_LIMITED', message: 'wait', retryAfterMs: 2000 } }), new Response('{"open":true}', { status: 200 }));
    const result = api<{ open: boolean }>('/api/centers/demo/live');
    await jest.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toEqual({ open: true });
    expect(calls).toHaveLength(2);
  });

  it('should hand a rate-limited write back with retryAfterMs from Retry-After and not repeat it', async () => {
    answer(limited({ error: { code: 'RATE_LIMITED', message: 'wait' } }, { 'Retry-After': '7' }));
    const err = await api('/api/auth/login', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 7000 });
    expect(calls).toHaveLength(1);
  });
});
