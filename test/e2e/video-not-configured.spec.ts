import { ConfigError, loadConfig } from '../../src/config/config';
import { seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';

interface ErrorBody {
  error: { code: string; message: string };
}

const JITSI = { JITSI_DOMAIN: 'meet.beratung.example', JITSI_APP_ID: 'lotse-test', JITSI_APP_SECRET: 'a-test-secret-of-at-least-thirty-two-chars' };

describe('video without Jitsi configuration', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;

  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 1, clients: 1 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  it('should answer every video route with 503 VIDEO_NOT_CONFIGURED and say video: false in the center’s info', async () => {
    const [counselor, client] = [c.counselors[0]!, c.clients[0]!];
    const id = '00000000-0000-4000-8000-000000000000';
    const token = 'A'.repeat(43);
    const as = (who: { token: string }) => ({ Authorization: `Bearer ${who.token}` });
    const calls = [
      t.http().post('/api/video-rooms').set(as(counselor)).send({ name: 'Raum' }),
      t.http().get('/api/video-rooms').set(as(counselor)),
      t.http().get('/api/video-rooms').set(as(client)),
      t.http().patch(`/api/video-rooms/${id}`).set(as(counselor)).send({ name: 'Raum' }),
      t.http().delete(`/api/video-rooms/${id}`).set(as(counselor)),
      t.http().post(`/api/video-rooms/${id}/invite-link`).set(as(counselor)),
      t.http().delete(`/api/video-rooms/${id}/invite-link`).set(as(counselor)),
      t.http().post(`/api/video-rooms/${id}/clients`).set(as(counselor)).send({ clientId: client.id }),
      t.http().delete(`/api/video-rooms/${id}/clients/${client.id}`).set(as(counselor)),
      t.http().post(`/api/video-rooms/${id}/join`).set(as(client)).send({}),
      t.http().get(`/api/video-rooms/${id}/notes`).set(as(counselor)),
      t.http().post(`/api/video-rooms/${id}/notes`).set(as(counselor)).send({ body: 'x' }),
      t.http().get(`/api/centers/${c.slug}/video-consent`),
      t.http().put('/api/admin/video-consent').set(as(c.admin)).send({ text: 'Text' }),
      t.http().get(`/api/video-invites/${token}`),
      t.http().post(`/api/video-invites/${token}/join`).send({ displayName: 'Gast', consentVersion: 1 }),
    ];
    // the index names the call in a failure
    (await Promise.all(calls)).forEach((res, i) => {
      expect([i, res.status, (res.body as ErrorBody).error.code]).toEqual([i, 503, 'VIDEO_NOT_CONFIGURED']);
    });
    expect((await t.http().get(`/api/centers/${c.slug}`).expect(200)).body).toMatchObject({ video: false });
  });

  it('should describe the video routes in the OpenAPI document, with their 503', async () => {
    type Op = { tags?: string[]; summary?: string; responses: Record<string, unknown> };
    const paths = ((await t.http().get('/api/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, Op>> }).paths;
    const routes = [
      ['post', '/api/video-rooms'],
      ['get', '/api/video-rooms'],
      ['patch', '/api/video-rooms/{id}'],
      ['delete', '/api/video-rooms/{id}'],
      ['post', '/api/video-rooms/{id}/invite-link'],
      ['delete', '/api/video-rooms/{id}/invite-link'],
      ['post', '/api/video-rooms/{id}/clients'],
      ['delete', '/api/video-rooms/{id}/clients/{clientId}'],
      ['post', '/api/video-rooms/{id}/join'],
      ['get', '/api/video-invites/{token}'],
      ['post', '/api/video-invites/{token}/join'],
      ['get', '/api/centers/{center}/video-consent'],
      ['put', '/api/admin/video-consent'],
    ] as const;
    for (const [method, path] of routes) {
      const op = paths[path]?.[method];
      expect([method, path, op?.tags, typeof op?.summary, Object.keys(op?.responses ?? {})]).toEqual([
        method,
        path,
        ['video'],
        'string',
        expect.arrayContaining(['503']),
      ]);
    }
    for (const method of ['get', 'post'] as const) expect(paths['/api/video-rooms/{id}/notes']?.[method]).toBeDefined();
  });

  it('should refuse to boot with only some of JITSI_* set, naming what is missing, and take all three', () => {
    expect(() => loadConfig({ JITSI_DOMAIN: JITSI.JITSI_DOMAIN })).toThrow(ConfigError);
    expect(() => loadConfig({ JITSI_DOMAIN: JITSI.JITSI_DOMAIN, JITSI_APP_ID: 'x' })).toThrow('missing JITSI_APP_SECRET');
    expect(() => loadConfig({ JITSI_APP_SECRET: JITSI.JITSI_APP_SECRET })).toThrow('missing JITSI_DOMAIN, JITSI_APP_ID');
    expect(() => loadConfig({ ...JITSI, JITSI_DOMAIN: 'https://meet.example.org/x' })).toThrow(/JITSI_DOMAIN must be the host name/);
    expect(() => loadConfig({ ...JITSI, JITSI_APP_SECRET: 'short' })).toThrow(/JITSI_APP_SECRET must have at least 32 characters/);
    // the secret never appears in a boot error
    try {
      loadConfig({ ...JITSI, JITSI_APP_ID: 'bad id with spaces' });
    } catch (err) {
      expect((err as Error).message).not.toContain(JITSI.JITSI_APP_SECRET);
    }
    expect(loadConfig(JITSI).jitsi).toEqual({ domain: JITSI.JITSI_DOMAIN, appId: JITSI.JITSI_APP_ID, appSecret: JITSI.JITSI_APP_SECRET });
    expect(loadConfig({}).jitsi).toBeNull();
  });
});
