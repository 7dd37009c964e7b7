import { randomBytes } from 'node:crypto';
import { compileProxyTrust, forwardedAddress } from '../../src/common/client-address';
import { ConfigError, loadConfig } from '../../src/config/config';
import { call } from '../harness/ack';
import { closeAllSockets, connect, seedCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';

type Started = TestApp & { dropDb: () => Promise<void> };

/** Each app its own master key: on MariaDB runs the limiters share one Redis, keyed by HMACs of it. */
const ownKey = () => ({ MASTER_KEY: randomBytes(32).toString('base64') });

/** A visitor socket that claims, through X-Forwarded-For, to come from `forwardedFor`. */
async function visitorClaiming(t: TestApp, slug: string, forwardedFor: string): Promise<TestSocket> {
  const { token } = await visitor(t, slug);
  return connect(t.url, token, (s) => {
    (s.io.opts as { extraHeaders?: Record<string, string> }).extraHeaders = { 'x-forwarded-for': forwardedFor };
  });
}

describe('TRUSTED_PROXIES', () => {
  it('should read X-Forwarded-For only while the hop in hand is a trusted proxy', () => {
    const trust = compileProxyTrust(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(forwardedAddress('127.0.0.1', '203.0.113.7', trust)).toBe('203.0.113.7');
    expect(forwardedAddress('::ffff:10.0.0.2', '198.51.100.1, 10.0.0.9', trust)).toBe('198.51.100.1');
    // a forged left part stays unread: the first untrusted hop from the right is the caller
    expect(forwardedAddress('10.1.2.3', '1.1.1.1, 198.51.100.1', trust)).toBe('198.51.100.1');
    expect(forwardedAddress('203.0.113.50', '198.51.100.1', trust)).toBe('203.0.113.50');
    expect(forwardedAddress('fd12::1', '2001:db8::7', trust)).toBe('2001:db8::7');
    // private and loopback peers are not trusted unless named
    const none = compileProxyTrust([]);
    expect(forwardedAddress('127.0.0.1', '203.0.113.7', none)).toBe('127.0.0.1');
    expect(forwardedAddress('192.168.1.4', '203.0.113.7', none)).toBe('192.168.1.4');
  });

  it('should refuse to start when an entry is not an IP or CIDR', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.1, 172.16.0.0/12,::1' }).trustedProxies).toEqual(['10.0.0.1', '172.16.0.0/12', '::1']);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.1/8/2', 'fd00::/129']) expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(ConfigError);
  });

  describe('when none is configured', () => {
    let t: Started;
    beforeAll(async () => {
      t = await startApp({ env: { RATE_LIMITS: 'on', ...ownKey() } });
    });
    afterAll(async () => {
      closeAllSockets();
      await t.close();
      await t.dropDb();
    });

    it('should count REST calls from one peer together whatever X-Forwarded-For says', async () => {
      const c = await seedCenter(t, { counselors: 0, clients: 0 });
      for (let i = 0; i < 30; i++) {
        await t
          .http()
          .post(`/api/centers/${c.slug}/visitors`)
          .set('X-Forwarded-For', `203.0.113.${i + 1}`)
          .send({})
          .expect(201);
      }
      const res = await t.http().post(`/api/centers/${c.slug}/visitors`).set('X-Forwarded-For', '198.51.100.77').send({}).expect(429);
      expect((res.body as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    });
  });

  describe('when the local proxy is named', () => {
    let t: Started;
    beforeAll(async () => {
      t = await startApp({ env: { RATE_LIMITS: 'on', TRUSTED_PROXIES: '127.0.0.1', ...ownKey() } });
    });
    afterAll(async () => {
      closeAllSockets();
      await t.close();
      await t.dropDb();
    });

    it('should count the forwarded addresses apart over REST and Socket.IO alike', async () => {
      const c = await seedCenter(t, { counselors: 1, clients: 0 });
      const claim = async (xff: string) => (await t.http().post(`/api/centers/${c.slug}/visitors`).set('X-Forwarded-For', xff).send({})).status;
      const first: number[] = [];
      for (let i = 0; i < 31; i++) first.push(await claim('203.0.113.7'));
      expect(first.slice(0, 30).every((s) => s === 201)).toBe(true);
      expect(first[30]).toBe(429);
      expect(await claim('198.51.100.9')).toBe(201);
    });
  });
});

describe('Socket.IO addresses without TRUSTED_PROXIES', () => {
  let t: Started;
  beforeAll(async () => {
    t = await startApp({ env: { RATE_LIMITS: 'on', ...ownKey() } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  it('should count sockets from one peer together whatever X-Forwarded-For says', async () => {
    const c = await seedCenter(t, { counselors: 1, clients: 0 });
    const first = await visitorClaiming(t, c.slug, '203.0.113.7');
    for (let i = 0; i < 20; i++) expect(await call(first, 'queue.join', {})).toMatchObject({ ok: false, error: { code: 'LIVE_CLOSED' } });
    const second = await visitorClaiming(t, c.slug, '198.51.100.9');
    expect(await call(second, 'queue.join', {})).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) as number } });
  });
});
