import { io } from 'socket.io-client';
import { socketAddress } from '../../src/realtime/ws';
import { CentersService } from '../../src/modules/centers/centers.service';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, connectFrom, nextEvent, seedCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { expectSeatsMatchChats } from '../harness/live-invariant';

/** A visitor socket whose requests look forwarded by a local proxy for `forwardedFor`. */
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
    await expectSeatsMatchChats(t, c.centerId);
  });

  it('should let at most liveWaitingPerAddress visitors wait from one address, refuse more with QUEUE_FULL and let other addresses in', async () => {
    const c = await seedCenter(t, { counselors: 1, clients: 0 });
    await t.app.get(CentersService).updateSettings(c.centerId, { liveWaitingPerAddress: 2 });
    const s = await connect(t.url, c.counselors[0]!.token);
    ok(await call(s, 'shift.open', { maxChats: 1 }));
    const from = async (address: string) => connectFrom(t.url, (await visitor(t, c.slug)).token, address);
    // the one in a chat does not count as waiting
    const chatting = await from('192.0.2.50');
    const assigned = nextEvent(chatting, 'queue.assigned');
    await expect(call(chatting, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 0 } });
    const { roomId } = await assigned;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call(await from('192.0.2.50'), 'queue.join', {}));
    expect(answers.map((x) => (x.ok ? x.data.position : x.error.code))).toEqual([1, 2, 'QUEUE_FULL', 'QUEUE_FULL']);
    expect(!answers[2]!.ok && answers[2]!.error.message).toMatch(/network/);
    await expect(call(await from('192.0.2.51'), 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 3 } });
    // a place of that address frees up when one of its visitors gets a seat
    ok(await call(s, 'live.end', { roomId }));
    await expect(call(await from('192.0.2.50'), 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 3 } });
    await expectSeatsMatchChats(t, c.centerId);
  });

  it('should take the forwarded address only from a trusted local proxy', () => {
    const sock = (address: string, xff?: string) =>
      ({ handshake: { address, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } } }) as Parameters<typeof socketAddress>[0];
    expect(socketAddress(sock('127.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
    expect(socketAddress(sock('::ffff:10.0.0.2', '198.51.100.1, 10.0.0.9'))).toBe('198.51.100.1');
    expect(socketAddress(sock('203.0.113.50', '198.51.100.1'))).toBe('203.0.113.50');
    expect(socketAddress(sock('192.168.1.4'))).toBe('192.168.1.4');
  });
});
