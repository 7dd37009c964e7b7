import { Reflector, ModulesContainer } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { IS_PUBLIC } from '../../src/common/auth-context';
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

  it('should refuse every documented route without a token except the ones marked public', async () => {
    const doc = (await t.http().get('/api/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const open = new Set([
      'get /health',
      'post /api/auth/login',
      'post /api/auth/register',
      'post /api/auth/confirm-email',
      'post /api/auth/confirm-email/resend',
      'post /api/centers/{center}/visitors',
      'get /api/centers/{center}',
      'get /api/centers/{center}/live',
      'get /api/centers/{center}/topic-chats',
      'post /api/auth/password-reset',
      'post /api/auth/password-reset/confirm',
      'get /api/centers',
      'post /api/auth/invitation',
      'get /api/centers/{center}/video-consent',
      'get /api/video-invites/{token}',
      'post /api/video-invites/{token}/join',
      'get /api/centers/{center}/team',
      'get /api/centers/{center}/team/{id}/picture',
      'get /health/live',
      'get /health/ready',
    ]);
    const seen: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops) as ('get' | 'post' | 'patch' | 'delete')[]) {
        const url = path.replace('{center}', 'nowhere').replace('{id}', '00000000-0000-4000-8000-000000000000');
        const res = await t.http()[method](url);
        seen.push(`${method} ${path}`);
        if (open.has(`${method} ${path}`)) expect({ route: `${method} ${path}`, status: res.status }).not.toEqual({ route: `${method} ${path}`, status: 401 });
        else
          expect({ route: `${method} ${path}`, code: (res.body as { error?: { code?: string } }).error?.code }).toEqual({
            route: `${method} ${path}`,
            code: 'UNAUTHORIZED',
          });
      }
    }
    expect(seen).toEqual(expect.arrayContaining([...open]));
    expect(seen.length).toBeGreaterThan(open.size);
  });

  it('should mark exactly the routes that need no token @Public() (the global guard authenticates all others)', () => {
    const reflector = new Reflector();
    const open: string[] = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const { metatype } of module.controllers.values()) {
        if (!metatype) continue;
        const proto = metatype.prototype as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(proto)) {
          const handler = proto[name];
          if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
          if (reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, metatype])) open.push(`${metatype.name}.${name}`);
        }
      }
    }
    expect(open.sort()).toEqual(
      [
        'AuthController.confirmEmail',
        'AuthController.resendConfirmation',
        'AuthController.login',
        'AuthController.register',
        'AuthController.visitor',
        'CentersController.info',
        'HealthController.health',
        'LiveQueueController.status',
        'PortalController.center',
        'PortalController.home',
        'TopicChatsController.list',
        'WidgetController.page',
        'AuthController.requestPasswordReset',
        'AuthController.confirmPasswordReset',
        'CenterListController.list',
        'PortalController.other',
        'InvitationController.accept',
        'VideoConsentController.current',
        'VideoInvitesController.show',
        'VideoInvitesController.join',
        'PublicTeamController.list',
        'PublicTeamController.picture',
        'HealthController.live',
        'HealthController.ready',
        // its own gate: METRICS_TOKEN or METRICS_PORT, 404 without either (test/e2e/metrics.spec.ts)
        'MetricsController.scrape',
      ].sort(),
    );
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
