import { Logger } from '@nestjs/common';
import { gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { call } from '../harness/ack';
import { connect, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';

type Started = TestApp & { dropDb: () => Promise<void> };

/** Every error answer: exactly `{ error: { code, message } }` (`fields` only with VALIDATION_FAILED). */
function expectErrorBody(body: unknown, code: string): void {
  const { error, ...rest } = body as { error: Record<string, unknown> };
  expect(rest).toEqual({});
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  const allowed = code === 'VALIDATION_FAILED' ? ['code', 'fields', 'message'] : ['code', 'message'];
  expect(Object.keys(error).filter((k) => !allowed.includes(k))).toEqual([]);
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(js|ts):\d+|stack/i);
}

describe('bad input', () => {
  let t: Started;
  let c: SeededCenter;
  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 1, clients: 0 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  /** Row counts of the tables a bad request could touch: they must not move. */
  async function snapshot(): Promise<Record<string, number>> {
    const ds = t.app.get(DataSource);
    const out: Record<string, number> = {};
    for (const table of ['centers', 'accounts', 'auth_tokens', 'data_keys']) {
      const rows: { n: number | string }[] = await ds.query(`SELECT COUNT(*) AS n FROM ${table}`);
      out[table] = Number(rows[0]!.n);
    }
    return out;
  }

  const register = (body: string, type = 'application/json') => t.http().post('/api/auth/register').set('Content-Type', type).send(body);

  it.each([
    ['bad JSON', '{"center": "x", "username": ', 400, 'VALIDATION_FAILED'],
    ['a JSON string instead of an object', '"just a string"', 400, 'VALIDATION_FAILED'],
    ['an unknown field', JSON.stringify({ center: 'C', username: 'someone', password: 'Correct-Horse-9-Battery', isAdmin: true }), 400, 'VALIDATION_FAILED'],
    ['an object as password', JSON.stringify({ center: 'C', username: 'someone', password: { x: 1 } }), 400, 'VALIDATION_FAILED'],
    ['an array as username', JSON.stringify({ center: 'C', username: ['someone'], password: 'Correct-Horse-9-Battery' }), 400, 'VALIDATION_FAILED'],
    ['a number as center', JSON.stringify({ center: 7, username: 'someone', password: 'Correct-Horse-9-Battery' }), 400, 'VALIDATION_FAILED'],
    [
      'a 1 MB body',
      JSON.stringify({ center: 'C', username: 'someone', password: 'Correct-Horse-9-Battery', pad: 'x'.repeat(1024 * 1024) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ])('should refuse %s at registration and change nothing', async (_, raw, status, code) => {
    const before = await snapshot();
    const res = await register(raw.replace('"C"', JSON.stringify(c.slug))).expect(status);
    expectErrorBody(res.body, code);
    expect(await snapshot()).toEqual(before);
  });

  it('should name the offending fields when validation fails', async () => {
    const res = await register(JSON.stringify({ center: c.slug, username: ['x'], password: { x: 1 }, extra: 1 })).expect(400);
    expect((res.body as { error: { fields: string[] } }).error.fields.sort()).toEqual(['extra', 'password', 'username']);
  });

  it('should refuse an object as password at login and issue no token', async () => {
    const before = await snapshot();
    const res = await t
      .http()
      .post('/api/auth/login')
      .send({ center: c.slug, login: c.counselors[0]!.login, password: { $ne: null } })
      .expect(400);
    expectErrorBody(res.body, 'VALIDATION_FAILED');
    expect(await snapshot()).toEqual(before);
  });

  it('should answer 415 and change nothing when the body is not JSON', async () => {
    const before = await snapshot();
    const res = await register(`center=${c.slug}&username=someone&password=Correct-Horse-9-Battery`, 'application/x-www-form-urlencoded').expect(415);
    expectErrorBody(res.body, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await register('hello', 'text/plain').expect(415);
    expectErrorBody(text.body, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['POST', '/api/centers//visitors'],
    ['POST', '/api/centers/undefined/visitors'],
    ['POST', '/api/centers/null/visitors'],
    ['POST', '/api/centers/%20/visitors'],
    ['GET', '/api/centers/undefined/live'],
    ['GET', '/api/centers//live'],
    ['GET', '/api/centers/undefined'],
    ['GET', '/api/centers/..%2f..%2fetc/topic-chats'],
  ])('should answer NOT_FOUND and change nothing for %s %s', async (method, path) => {
    const before = await snapshot();
    const req = method === 'POST' ? t.http().post(path).send({}) : t.http().get(path);
    const res = await req.expect(404);
    expectErrorBody(res.body, 'NOT_FOUND');
    expect(await snapshot()).toEqual(before);
  });

  it.each(['undefined', 'null', '0', 'not-a-uuid', "1' OR '1'='1"])('should answer NOT_FOUND when a room id is %s', async (id) => {
    const res = await t
      .http()
      .delete(`/api/rooms/${encodeURIComponent(id)}`)
      .set('Authorization', `Bearer ${c.counselors[0]!.token}`)
      .expect(404);
    expectErrorBody(res.body, 'NOT_FOUND');
  });

  it.each([
    ['Bearer undefined', 'Bearer undefined'],
    ['an empty bearer', 'Bearer '],
    ['Bearer null', 'Bearer null'],
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['a 5000-character bearer', `Bearer ${'x'.repeat(5000)}`],
  ])('should answer UNAUTHORIZED when the Authorization header is %s', async (_, header) => {
    const res = await t.http().get('/api/auth/me').set('Authorization', header).expect(401);
    expectErrorBody(res.body, 'UNAUTHORIZED');
  });

  it('should answer an unknown route with the error body and no stack', async () => {
    const res = await t.http().get('/api/nothing-here').expect(404);
    expectErrorBody(res.body, 'NOT_FOUND');
  });

  it('should answer an unknown center at registration with NOT_FOUND and create nothing', async () => {
    const before = await snapshot();
    const res = await register(JSON.stringify({ center: 'undefined', username: 'someone', password: 'Correct-Horse-9-Battery' })).expect(404);
    expectErrorBody(res.body, 'NOT_FOUND');
    expect(await snapshot()).toEqual(before);
  });

  describe('cheap refusals', () => {
    let logged: jest.SpyInstance;
    beforeEach(() => {
      logged = jest.spyOn(Logger.prototype, 'error');
    });
    afterEach(() => logged.mockRestore());

    const deepArrays = (n: number) => `{"center":${'['.repeat(n)}${']'.repeat(n)},"username":"someone","password":"Correct-Horse-9-Battery"}`;
    const deepObjects = (n: number) => `{"center":"x","username":${'{"a":'.repeat(n)}1${'}'.repeat(n)},"password":"Correct-Horse-9-Battery"}`;

    it.each([
      ['arrays', deepArrays(20_000)],
      ['objects', deepObjects(5_000)],
      ['objects just over the limit', deepObjects(32)],
    ])('should answer VALIDATION_FAILED without a stack trace and change nothing when the body nests %s deeply', async (_, body) => {
      const before = await snapshot();
      const res = await register(body).expect(400);
      expectErrorBody(res.body, 'VALIDATION_FAILED');
      expect((res.body as { error: { message: string } }).error.message).toMatch(/nested too deeply/);
      expect(logged).not.toHaveBeenCalled();
      expect(await snapshot()).toEqual(before);
    });

    it('should still validate a body nested within the limit as usual', async () => {
      const res = await register(deepObjects(30)).expect(400);
      expect((res.body as { error: { fields: string[] } }).error.fields).toEqual(['username']);
    });

    it.each([
      ['gzip', gzipSync('{}')],
      ['gzip', Buffer.from('not gzip at all')],
      ['deflate', Buffer.from('{}')],
      ['br', Buffer.from('xx')],
      ['bogus', Buffer.from('{}')],
      ['gzip, bogus', Buffer.from('{}')],
    ])('should answer UNSUPPORTED_MEDIA_TYPE without a stack trace when Content-Encoding is %s', async (encoding, body) => {
      const before = await snapshot();
      const res = await t.http().post('/api/auth/register').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send(body).expect(415);
      expectErrorBody(res.body, 'UNSUPPORTED_MEDIA_TYPE');
      expect(logged).not.toHaveBeenCalled();
      expect(await snapshot()).toEqual(before);
    });

    it('should answer a deeply nested socket payload with VALIDATION_FAILED and keep the socket working', async () => {
      const socket = await connect(t.url, c.counselors[0]!.token);
      // written as text: the client's own JSON.stringify would overflow its stack on this payload
      const deep = `{"roomId":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`;
      const engine = socket.io.engine;
      const answer = new Promise<unknown>((resolve) => {
        const onPacket = (packet: { type: string; data?: unknown }) => {
          if (packet.type !== 'message' || typeof packet.data !== 'string' || !packet.data.startsWith('3999')) return;
          engine.off('packet', onPacket);
          resolve((JSON.parse(packet.data.slice(4)) as unknown[])[0]);
        };
        engine.on('packet', onPacket);
      });
      engine.send(`2999["room.history",${deep}]`);
      expect(await answer).toEqual({ ok: false, error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/nested too deeply/) as string } });
      expect(logged).not.toHaveBeenCalled();
      // the connection is still fine
      expect(await call(socket, 'room.history', { roomId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      socket.disconnect();
    });
  });
});
