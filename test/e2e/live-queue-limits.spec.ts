import { io } from 'socket.io-client';
import { call } from '../harness/ack';
import { closeAllSockets, seedCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';

/** A visitor socket whose requests look forwarded by the trusted local proxy for `forwardedFor`. */
async function visitorBehindProxy(t: TestApp, slug: string, forwardedFor: string): Promise<TestSocket> {
  const { token } = await visitor(t, slug);
  const socket: TestSocket = io(t.url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { 'x-forwarded-for': forwardedFor },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

describe('live queue join limits per address', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  it('should answer RATE_LIMITED after 20 joins from one address, and count another address apart', async () => {
    t = await startApp({ env: { RATE_LIMITS: 'on', TRUSTED_PROXIES: '127.0.0.1' } });
    const c = await seedCenter(t, { counselors: 1, clients: 0 });
    const crowded = await visitorBehindProxy(t, c.slug, '203.0.113.7');
    const codes: string[] = [];
    for (let i = 0; i < 21; i++) {
      const ack = await call(crowded, 'queue.join', {});
      codes.push(ack.ok ? 'ok' : ack.error.code);
    }
    // no shift is open: every counted join is refused as LIVE_CLOSED, the 21st by the limit
    expect(codes).toEqual([...Array<string>(20).fill('LIVE_CLOSED'), 'RATE_LIMITED']);
    const elsewhere = await visitorBehindProxy(t, c.slug, '198.51.100.9');
    await expect(call(elsewhere, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'LIVE_CLOSED' } });
    crowded.disconnect();
    elsewhere.disconnect();
  });
});
