import { onMariaDb } from '../harness/env';
import { startApp, TestApp } from '../harness/app';

type Started = TestApp & { dropDb: () => Promise<void> };

describe('health and API docs', () => {
  let t: Started;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  it('should report ok with the database up when every dependency is reachable', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up', redis: onMariaDb ? 'up' : 'disabled' });
  });

  it('should serve the OpenAPI document with the auth routes when /api/docs is asked', async () => {
    const res = await t.http().get('/api/docs/openapi.json').expect(200);
    const doc = res.body as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/api/auth/login', '/api/auth/register', '/api/centers/{center}/visitors', '/health']) expect(Object.keys(doc.paths)).toContain(path);
    const html = await t.http().get('/api/docs').expect(200);
    expect(html.text).toContain('swagger');
  });

  it('should describe RATE_LIMITED with Retry-After on the limited routes of the OpenAPI document', async () => {
    const res = await t.http().get('/api/docs/openapi.json').expect(200);
    type Op = { responses: Record<string, { description: string; headers?: Record<string, unknown> }> };
    const paths = (res.body as { paths: Record<string, { post: Op }> }).paths;
    for (const path of ['/api/auth/login', '/api/auth/register', '/api/centers/{center}/visitors']) {
      const limited = paths[path]!.post.responses['429']!;
      expect(limited.description).toContain('retryAfterMs');
      expect(Object.keys(limited.headers ?? {})).toEqual(['Retry-After']);
    }
  });

  describe('with Redis unreachable', () => {
    let down: Started;
    beforeAll(async () => {
      down = await startApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    });
    afterAll(async () => {
      await down.close();
      await down.dropDb();
    });

    it('should answer 503 with redis down when REDIS_URL points at a closed port', async () => {
      const res = await down.http().get('/health').expect(503);
      expect(res.body).toEqual({ status: 'unavailable', database: 'up', redis: 'down' });
    });
  });
});
