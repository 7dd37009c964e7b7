import { DomainError } from '../../src/common/errors';
import { LeasedLimit, LocalWindow, Taken } from '../../src/infra/redis/local-limits';
import { messageLeaseBatch } from '../../src/infra/redis/rate-limit.service';

/** A fixed-window store shared by the "nodes" of a test, as rate-limiter-flexible counts in Redis. */
function sharedStore(points: number, windowMs: number) {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    take: (key: string, n: number): Promise<Taken> => {
      calls++;
      const now = performance.now();
      let w = windows.get(key);
      if (!w || now >= w.resetAt) {
        w = { count: 0, resetAt: now + windowMs };
        windows.set(key, w);
      }
      w.count += n;
      return Promise.resolve({ allowed: w.count <= points, consumed: w.count, msBeforeNext: w.resetAt - now });
    },
  };
}

/** 'ok' or the error code of one consume. */
async function outcome(limit: LeasedLimit, key: string): Promise<string> {
  try {
    const p = limit.consume(key);
    if (p) await p;
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
}

describe('LeasedLimit', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should grant a whole batch from one store call, synchronously after the first', async () => {
    const store = sharedStore(50, 10_000);
    const limit = new LeasedLimit(50, 5, store.take);
    expect(await outcome(limit, 'a')).toBe('ok');
    for (let i = 0; i < 4; i++) expect(limit.consume('a')).toBeNull();
    expect(store.calls).toBe(1);
    expect(await outcome(limit, 'a')).toBe('ok');
    expect(store.calls).toBe(2);
  });

  it('should grant exactly the limit in a window, refuse the rest without asking the store again, and grant again in the next window', async () => {
    const store = sharedStore(12, 10_000);
    const limit = new LeasedLimit(12, 5, store.take);
    const got: string[] = [];
    for (let i = 0; i < 15; i++) got.push(await outcome(limit, 'a'));
    expect(got).toEqual([...Array<string>(12).fill('ok'), 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    // 5 + 5 + the 2 of the third batch below the limit; the refusals after it cost no call
    expect(store.calls).toBe(3);
    const refused = limit.consume('a');
    await expect(refused).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    jest.advanceTimersByTime(10_001);
    expect(await outcome(limit, 'a')).toBe('ok');
  });

  it('should never grant more than the limit in a store window on several nodes together', async () => {
    const store = sharedStore(20, 10_000);
    const nodes = [new LeasedLimit(20, 3, store.take), new LeasedLimit(20, 3, store.take), new LeasedLimit(20, 3, store.take)];
    let granted = 0;
    for (let i = 0; i < 60; i++) if ((await outcome(nodes[i % 3]!, 'a')) === 'ok') granted++;
    // at most 20; points leased by one node and not used are lost to the others (at most batch - 1 each)
    expect(granted).toBeLessThanOrEqual(20);
    expect(granted).toBeGreaterThanOrEqual(20 - 2 * 2);
  });

  it('should let concurrent sends wait for one store call instead of each making one', async () => {
    const store = sharedStore(100, 10_000);
    const limit = new LeasedLimit(100, 10, store.take);
    const got = await Promise.all(Array.from({ length: 10 }, () => outcome(limit, 'a')));
    expect(got).toEqual(Array<string>(10).fill('ok'));
    expect(store.calls).toBe(1);
  });

  it('should take one point per call for a small limit (exact across nodes) and at most 20', () => {
    expect([4, 9, 10, 50, 100, 10_000].map(messageLeaseBatch)).toEqual([1, 1, 1, 5, 10, 20]);
  });
});

describe('LocalWindow', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should count the events of a key in its window, refuse beyond it with the time left, and begin again after it', () => {
    const w = new LocalWindow(3, 10_000);
    for (let i = 0; i < 3; i++) w.consume('s1');
    w.consume('s2');
    jest.advanceTimersByTime(4_000);
    let thrown: unknown = null;
    try {
      w.consume('s1');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).toBody()).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 6000 });
    jest.advanceTimersByTime(6_000);
    expect(() => w.consume('s1')).not.toThrow();
    w.forget('s1');
    for (let i = 0; i < 3; i++) w.consume('s1');
  });
});
