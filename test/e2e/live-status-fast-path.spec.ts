import { Reflector } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { createCenter } from '../factories';
import { startApp, TestApp } from '../harness/app';
import { tempDataDir } from '../harness/env';

/**
 * `GET /api/centers/:center/live` is answered before the router (src/modules/live-queue/
 * live-status.fast-path.ts). Its answers must be the Nest route's: the route still answers every
 * other spelling of the path (a trailing slash), so the two are compared side by side. Whether
 * Nest's pipeline ran is seen by the global guard's Reflector lookup.
 */
const EVIL = 'https://evil.example';
const without = (headers: Record<string, string>, ...names: string[]) => Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k)));

describe('live status fast path', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let slug: string;
  let guardLookups: jest.SpyInstance;

  beforeAll(async () => {
    t = await startApp({ env: { RATE_LIMITS: 'on' } });
    slug = (await createCenter(t)).slug;
    guardLookups = jest.spyOn(t.app.get(Reflector), 'getAllAndOverride');
  });
  afterAll(async () => {
    await t?.close();
    await t?.dropDb();
  });

  /** The fast path's answer and the Nest route's answer to the same request. */
  async function both(path: string, set: Record<string, string> = {}): Promise<{ fast: Response; nest: Response }> {
    guardLookups.mockClear();
    const fast = await t.http().get(path).set(set);
    expect(guardLookups).not.toHaveBeenCalled();
    const nest = await t.http().get(`${path}/`).set(set);
    expect(guardLookups).toHaveBeenCalled();
    return { fast, nest };
  }

  it.each([
    ['no Origin', {}],
    ['a foreign Origin (any homepage)', { Origin: EVIL }],
  ])('should answer the status exactly as the Nest route does, headers included (%s)', async (_, set) => {
    const { fast, nest } = await both(`/api/centers/${slug}/live`, set);
    expect(fast.status).toBe(200);
    expect(fast.body).toEqual({ open: false, full: false, waiting: 0 });
    expect(fast.text).toBe(nest.text);
    expect(without(fast.headers, 'date')).toEqual(without(nest.headers, 'date'));
    expect(fast.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(fast.headers['etag']).toMatch(/^W\/"/);
    expect(fast.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(fast.headers['permissions-policy']).toMatch(/camera=\(\)/);
    if ('Origin' in set) expect(fast.headers['access-control-allow-origin']).toBe('*');
  });

  it('should answer NOT_FOUND for an unknown center exactly as the Nest route does', async () => {
    for (const center of ['no-such-center', 'undefined', 'a']) {
      const { fast, nest } = await both(`/api/centers/${center}/live`);
      expect([fast.status, fast.body]).toEqual([404, { error: { code: 'NOT_FOUND', message: 'The center was not found.' } }]);
      expect(fast.text).toBe(nest.text);
      expect(without(fast.headers, 'date')).toEqual(without(nest.headers, 'date'));
    }
  });

  it('should answer 304 without a body to a fresh If-None-Match, as Express did, and 200 to a stale one', async () => {
    const first = await t.http().get(`/api/centers/${slug}/live`).expect(200);
    const etag = String(first.headers['etag']);
    const { fast, nest } = await both(`/api/centers/${slug}/live`, { 'If-None-Match': etag });
    expect([fast.status, nest.status]).toEqual([304, 304]);
    expect(fast.text).toBe('');
    expect(fast.headers['content-type']).toBeUndefined();
    expect(without(fast.headers, 'date')).toEqual(without(nest.headers, 'date'));
    await t.http().get(`/api/centers/${slug}/live`).set('If-None-Match', 'W/"0-stale"').expect(200);
  });

  it('should take a query string but leave HEAD, upper case and other methods to the router', async () => {
    guardLookups.mockClear();
    await t.http().get(`/api/centers/${slug}/live?x=1`).expect(200);
    expect(guardLookups).not.toHaveBeenCalled();
    await t.http().head(`/api/centers/${slug}/live`).expect(200);
    expect(guardLookups).toHaveBeenCalled();
    // the router's routes are case-sensitive: its unknown-route answer, as before
    const upper = await t.http().get(`/API/centers/${slug}/live`);
    expect([upper.status, (upper.body as { error?: { code?: string } }).error?.code]).toEqual([404, 'NOT_FOUND']);
    const post = await t.http().post(`/api/centers/${slug}/live`).send({});
    expect(post.status).toBe(404);
  });

  it('should still refuse a GET with a body that is not JSON (the body checks run first)', async () => {
    const res = await t.http().get(`/api/centers/${slug}/live`).set('Content-Type', 'text/plain').send('hello');
    expect([res.status, (res.body as { error?: { code?: string } }).error?.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('should not be rate limited with RATE_LIMITS=on, as before (no limit names the status)', async () => {
    const codes = await Promise.all(
      Array.from({ length: 200 }, () =>
        t
          .http()
          .get(`/api/centers/${slug}/live`)
          .then((r) => r.status),
      ),
    );
    expect(new Set(codes)).toEqual(new Set([200]));
  });
});

describe('live status fast path: access log', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  const logFile = join(tempDataDir(), 'access.log');

  beforeAll(async () => {
    t = await startApp({ logFile });
  });
  afterAll(async () => {
    await t?.close();
    await t?.dropDb();
  });

  it('should write the access line of pino-http at level info: method, masked path, status, a fresh request id, no address', async () => {
    const { slug } = await createCenter(t);
    await t.http().get(`/api/centers/${slug}/live?from=homepage`).expect(200);
    await t.http().get(`/api/centers/${slug}/live/`).expect(200);
    await t.http().get('/api/centers/no-such-center/live').expect(404);
    await new Promise((r) => setTimeout(r, 50));
    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('request completed'))
      .map((l) => JSON.parse(l) as { level: number; req: { id: number; method: string; path: string }; res: { statusCode: number }; responseTime: number });
    const live = lines.filter((l) => l.req.path.includes('/live'));
    expect(live.map((l) => [l.level, l.req.method, l.req.path, l.res.statusCode])).toEqual([
      [30, 'GET', `/api/centers/${slug}/live`, 200],
      [30, 'GET', `/api/centers/${slug}/live/`, 200],
      [30, 'GET', '/api/centers/no-such-center/live', 404],
    ]);
    for (const l of live) expect(Object.keys(l.req).sort()).toEqual(['id', 'method', 'path']);
    expect(new Set(lines.map((l) => l.req.id)).size).toBe(lines.length);
    expect(readFileSync(logFile, 'utf8')).not.toMatch(/127\.0\.0\.1|remoteAddress|"headers"/);
  });
});
