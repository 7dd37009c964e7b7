import { Reflector } from '@nestjs/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { createCenter } from '../factories';
import { startApp, TestApp } from '../harness/app';
import { tempDataDir } from '../harness/env';

/**
 * `GET|HEAD /api/centers/:center/live` is answered on the http server's 'request' event, in front
 * of Express (src/modules/live-queue/live-status.fast-path.ts), with one header set computed at
 * start. Its answers must be the Nest route's: the route still answers every other spelling of the
 * path (a trailing slash), so the two are compared side by side, every header. Whether Nest's
 * pipeline ran is seen by the global guard's Reflector lookup.
 */
/** Every header the Nest route sends on a 200 (Date and node's Connection/Keep-Alive aside): the fast path must send each of them. */
const EVERY_HEADER = [
  'access-control-allow-origin',
  'content-length',
  'content-security-policy',
  'content-type',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'etag',
  'origin-agent-cluster',
  'permissions-policy',
  'referrer-policy',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];
const EVIL = 'https://evil.example';
const without = (headers: Record<string, string>, ...names: string[]) => Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k)));

describe('live status fast path', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let slug: string;
  let guardLookups: jest.SpyInstance;

  beforeAll(async () => {
    t = await startApp({ env: { RATE_LIMITS: 'on', TRUSTED_PROXIES: '127.0.0.1' } });
    slug = (await createCenter(t)).slug;
    guardLookups = jest.spyOn(t.app.get(Reflector), 'getAllAndOverride');
  });
  afterAll(async () => {
    await t?.close();
    await t?.dropDb();
  });

  /** The fast path's answer and the Nest route's answer to the same request. */
  async function both(
    path: string,
    set: Record<string, string> = {},
    how: { method?: 'get' | 'head'; fast?: boolean } = {},
  ): Promise<{ fast: Response; nest: Response }> {
    const method = how.method ?? 'get';
    guardLookups.mockClear();
    const fast = await t.http()[method](path).set(set);
    // a failed status read is handed to Express (the same lookup, the HTTP filter's answer)
    if (how.fast ?? true) expect(guardLookups).not.toHaveBeenCalled();
    else expect(guardLookups).toHaveBeenCalled();
    guardLookups.mockClear();
    const nest = await t.http()[method](`${path}/`).set(set);
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
    expect(Object.keys(without(nest.headers, 'date', 'connection', 'keep-alive')).sort()).toEqual(EVERY_HEADER);
    expect(fast.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(fast.headers['etag']).toMatch(/^W\/"/);
    expect(fast.headers['strict-transport-security']).toBeUndefined();
    expect(fast.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(fast.headers['permissions-policy']).toMatch(/camera=\(\)/);
    if ('Origin' in set) expect(fast.headers['access-control-allow-origin']).toBe('*');
  });

  it('should send Strict-Transport-Security exactly when the Nest route does (TLS through a trusted proxy)', async () => {
    const { fast, nest } = await both(`/api/centers/${slug}/live`, { 'X-Forwarded-Proto': 'https', Origin: EVIL });
    expect(fast.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    expect(without(fast.headers, 'date')).toEqual(without(nest.headers, 'date'));
    const plain = await both(`/api/centers/${slug}/live`, { 'X-Forwarded-Proto': 'http, https' });
    expect(plain.fast.headers['strict-transport-security']).toBeUndefined();
    expect(without(plain.fast.headers, 'date')).toEqual(without(plain.nest.headers, 'date'));
  });

  it('should answer NOT_FOUND for an unknown center exactly as the Nest route does', async () => {
    for (const center of ['no-such-center', 'undefined', 'a']) {
      const { fast, nest } = await both(`/api/centers/${center}/live`, {}, { fast: false });
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
    for (const set of <Record<string, string>[]>[
      { 'If-None-Match': '*' },
      { 'If-None-Match': `"x", ${etag}` },
      { 'If-None-Match': etag.replace(/^W\//, '') },
      { 'If-None-Match': etag, 'Cache-Control': 'no-cache' },
      { 'If-None-Match': 'W/"0-stale"' },
      { 'If-Modified-Since': new Date().toUTCString() },
      { 'If-None-Match': etag, 'X-Forwarded-Proto': 'https' },
    ]) {
      const pair = await both(`/api/centers/${slug}/live`, set);
      expect([pair.fast.status, pair.fast.text]).toEqual([pair.nest.status, pair.nest.text]);
      expect(without(pair.fast.headers, 'date')).toEqual(without(pair.nest.headers, 'date'));
    }
    await t.http().get(`/api/centers/${slug}/live`).set('If-None-Match', 'W/"0-stale"').expect(200);
  });

  it('should take a query string but leave HEAD, upper case, bad input and other methods to the router', async () => {
    guardLookups.mockClear();
    await t.http().get(`/api/centers/${slug}/live?x=1`).expect(200);
    expect(guardLookups).not.toHaveBeenCalled();
    // HEAD is not a public read for CORS (src/app.ts): its own headers, Nest's answer
    await t.http().head(`/api/centers/${slug}/live`).expect(200);
    expect(guardLookups).toHaveBeenCalled();
    // a malformed slug: the router's answer, as before
    for (const center of ['A', '%2e%2e', 'x'.repeat(65), 'a_b']) {
      const { fast, nest } = await both(`/api/centers/${center}/live`, {}, { fast: false });
      expect(fast.status).toBe(404);
      expect([fast.status, fast.text]).toEqual([nest.status, nest.text]);
    }
    // a preflight is CORS's
    const preflight = await t.http().options(`/api/centers/${slug}/live`).set('Origin', EVIL).set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    // the router's routes are case-sensitive: its unknown-route answer, as before
    const upper = await t.http().get(`/API/centers/${slug}/live`);
    expect([upper.status, (upper.body as { error?: { code?: string } }).error?.code]).toEqual([404, 'NOT_FOUND']);
    const post = await t.http().post(`/api/centers/${slug}/live`).send({});
    expect(post.status).toBe(404);
  });

  it('should still refuse a GET with a body that is not JSON (a request with a body goes to the body checks)', async () => {
    const res = await t.http().get(`/api/centers/${slug}/live`).set('Content-Type', 'text/plain').send('hello');
    expect([res.status, (res.body as { error?: { code?: string } }).error?.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const gzip = await t.http().get(`/api/centers/${slug}/live`).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('{}');
    expect(gzip.status).toBe(415);
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

  it("should write no access line for a successful fast status read, and pino-http's line for the router's answers and the failures", async () => {
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
      [30, 'GET', `/api/centers/${slug}/live/`, 200],
      [30, 'GET', '/api/centers/no-such-center/live', 404],
    ]);
    for (const l of live) expect(Object.keys(l.req).sort()).toEqual(['id', 'method', 'path']);
    expect(new Set(lines.map((l) => l.req.id)).size).toBe(lines.length);
    expect(readFileSync(logFile, 'utf8')).not.toMatch(/127\.0\.0\.1|remoteAddress|"headers"/);
  });
});
