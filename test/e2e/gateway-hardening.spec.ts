import { DataSource } from 'typeorm';
import { call, callRaw, ok } from '../harness/ack';
import { closeAllSockets, connect, seedCenter, SeededCenter, startApp, TestApp, TestSocket } from '../harness/app';
import { onMariaDb } from '../harness/env';
import { handshake as rawHandshake } from '../harness/raw-socket';
import { TokensService } from '../../src/modules/auth/tokens.service';
import { socketAuth } from '../../src/realtime/io-adapter';

type Started = TestApp & { dropDb: () => Promise<void> };

const handshake = (url: string, token: string, origin?: string) => rawHandshake(url, { token, origin });

describe(`socket gateway hardening (${onMariaDb ? 'two nodes, MariaDB + Redis' : 'one node, SQLite'})`, () => {
  let a: Started;
  let b: Started;
  let c: SeededCenter;
  const messageCount = async () => Number((await a.app.get(DataSource).query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM messages'))[0]!.n);

  beforeAll(async () => {
    const limits = {
      SOCKET_EVENT_LIMIT: '12',
      MESSAGE_RATE_LIMIT: '4',
      PUBLIC_URL: 'https://chat.example.org',
      ALLOWED_ORIGINS: 'https://beratung.example.org',
    };
    a = await startApp({ env: limits });
    b = onMariaDb ? await startApp({ env: limits, databaseUrl: a.config.database.kind === 'mysql' ? a.config.database.url : undefined }) : a;
    c = await seedCenter(a, { counselors: 1, clients: 1 });
  });
  afterAll(async () => {
    closeAllSockets();
    if (b !== a) await b.close();
    await a.close();
    await a.dropDb();
  });

  async function directRoom(counselor: TestSocket): Promise<string> {
    return ok(await call(counselor, 'room.create', { name: 'Hardening', memberIds: [c.clients[0]!.id] })).roomId;
  }

  it('should accept the handshake from PUBLIC_URL, configured origins and non-browser clients, and refuse a foreign origin', async () => {
    const token = c.counselors[0]!.token;
    await expect(handshake(a.url, token, 'https://chat.example.org')).resolves.toBe('connected');
    await expect(handshake(a.url, token, 'https://beratung.example.org')).resolves.toBe('connected');
    await expect(handshake(a.url, token)).resolves.toBe('connected');
    await expect(handshake(a.url, token, 'https://evil.example')).resolves.not.toBe('connected');
  });

  it('should accept a page of this server opened under another host name than PUBLIC_URL, and still refuse look-alikes', async () => {
    const token = c.counselors[0]!.token;
    // a.url is http://127.0.0.1:<port> while PUBLIC_URL says https://chat.example.org
    await expect(handshake(a.url, token, a.url)).resolves.toBe('connected');
    const port = new URL(a.url).port;
    await expect(handshake(a.url, token, `http://127.0.0.1:${Number(port) + 1}`)).resolves.not.toBe('connected');
    await expect(handshake(a.url, token, `http://127.0.0.1.evil.example:${port}`)).resolves.not.toBe('connected');
    await expect(handshake(a.url, token, 'null')).resolves.not.toBe('connected');
  });

  it('should ignore unknown events and keep the socket usable', async () => {
    const s = await connect(a.url, c.counselors[0]!.token);
    await expect(callRaw(s, 'admin.dropEverything', {}, 700)).rejects.toThrow();
    expect(s.connected).toBe(true);
    await expect(call(s, 'room.history', { roomId: '00000000-0000-4000-8000-000000000000' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('should drop a socket that sends a frame over the size limit, and store nothing', async () => {
    const counselor = await connect(a.url, c.counselors[0]!.token);
    const roomId = await directRoom(counselor);
    const before = await messageCount();
    const dropped = new Promise<string>((resolve) => counselor.once('disconnect', resolve));
    counselor.emit('message.send', { roomId, clientMsgId: 'too-big', body: 'x'.repeat(100 * 1024) }, () => undefined);
    await expect(dropped).resolves.toBe('transport close');
    expect(await messageCount()).toBe(before);
  });

  it('should answer RATE_LIMITED beyond the per-account message limit across sockets, and store only what was acked', async () => {
    const counselor = await connect(a.url, c.counselors[0]!.token);
    const roomId = await directRoom(counselor);
    const second = await connect(b.url, c.counselors[0]!.token);
    const before = await messageCount();
    const acks = [];
    for (let i = 0; i < 6; i++) acks.push(await call(i % 2 ? second : counselor, 'message.send', { roomId, clientMsgId: `rl-${i}`, body: `message ${i}` }));
    expect(acks.map((x) => (x.ok ? 'ok' : x.error.code))).toEqual(['ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(await messageCount()).toBe(before + 4);
  });

  it('should answer RATE_LIMITED beyond the per-socket event limit without running the command', async () => {
    const s = await connect(a.url, c.counselors[0]!.token);
    const answers = [];
    for (let i = 0; i < 14; i++) answers.push(await call(s, 'room.history', { roomId: '00000000-0000-4000-8000-000000000000' }));
    const codes = answers.map((x) => (x.ok ? 'ok' : x.error.code));
    expect(codes.slice(0, 12)).toEqual(Array(12).fill('NOT_FOUND'));
    expect(codes.slice(12)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('should disconnect the sockets of a revoked token on every node within seconds', async () => {
    const client = c.clients[0]!;
    const res = await a.http().post('/api/auth/login').send({ center: c.slug, login: client.login, password: client.password }).expect(200);
    const token = (res.body as { token: string }).token;
    const onA = await connect(a.url, token);
    const onB = await connect(b.url, token);
    const gone = (s: TestSocket) => new Promise<number>((resolve) => s.once('disconnect', () => resolve(Date.now())));
    const [goneA, goneB] = [gone(onA), gone(onB)];
    const started = Date.now();
    await a.http().post('/api/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    for (const at of await Promise.all([goneA, goneB])) expect(at - started).toBeLessThan(3000);
    await expect(connect(b.url, token)).rejects.toThrow('UNAUTHORIZED');
  });

  it('should answer a handshake whose token lookup never finishes with INTERNAL, and connect the next one', async () => {
    const tokens = a.app.get(TokensService);
    const resolve = jest.spyOn(tokens, 'resolve').mockImplementationOnce(() => new Promise(() => undefined));
    const timeoutMs = socketAuth.timeoutMs;
    socketAuth.timeoutMs = 300;
    try {
      const started = Date.now();
      await expect(handshake(a.url, c.counselors[0]!.token)).resolves.toBe('INTERNAL');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      await expect(handshake(a.url, c.counselors[0]!.token)).resolves.toBe('connected');
    } finally {
      socketAuth.timeoutMs = timeoutMs;
      resolve.mockRestore();
    }
  });
});
