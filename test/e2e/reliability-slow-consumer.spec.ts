import { randomUUID } from 'node:crypto';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, seedCenter, startApp, TestApp } from '../harness/app';
import { createRoom } from '../factories';
import { TcpProxy } from '../harness/tcp-proxy';

const LIMIT = 256 * 1024;
const BODY = 'x'.repeat(3500);

/**
 * A client that stops reading (behind a proxy that stops draining the node's side of its TCP
 * connection: the kernel buffers fill, then engine.io's
 * write buffer grows) is disconnected once more than SOCKET_SEND_BUFFER_BYTES wait for it, long
 * before the ping timeout (18 s) would notice; others keep their answers; back, it catches up.
 */
describe('a socket that stops reading', () => {
  let t: TestApp & { dropDb: () => Promise<void> };

  beforeAll(async () => {
    t = await startApp({ env: { SOCKET_SEND_BUFFER_BYTES: String(LIMIT), SOCKET_EVENT_LIMIT: '100000', MESSAGE_RATE_LIMIT: '100000' } });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  it('should be disconnected when its outgoing buffer passes the limit, and catch up from history afterwards', async () => {
    const c = await seedCenter(t, { counselors: 1, clients: 1 });
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const roomId = await createRoom(counselor, { memberIds: [c.clients[0]!.id] });
    for (let i = 0; i < 50; i++) ok(await call(counselor, 'message.send', { roomId, clientMsgId: randomUUID(), body: `${i} ${BODY}` }));

    const proxy = new TcpProxy(new URL(t.url));
    const slowUrl = await proxy.listen();
    const slow = await connect(slowUrl, c.clients[0]!.token);
    ok(await call(slow, 'room.join', { roomId }));
    const gone = new Promise<string>((resolve) => slow.once('disconnect', (reason) => resolve(reason)));
    proxy.stall();
    // it keeps asking (its writes go out) but reads nothing: each answer is ~180 kB
    const started = performance.now();
    for (let i = 0; i < 80; i++) slow.emit('room.history', { roomId, afterSeq: 0, limit: 100 }, () => undefined);
    // meanwhile the server answers others, and the pushes of the room go on
    const others: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      ok(await call(counselor, 'message.send', { roomId, clientMsgId: randomUUID(), body: `meanwhile ${i}` }));
      others.push(performance.now() - t0);
    }
    // (generous: the history reads ahead of them decrypt 8000 messages on a shared 2-core machine)
    expect(Math.max(...others)).toBeLessThan(10_000);
    // the server cut it, well before the ping timeout (pingInterval 10 s + pingTimeout 8 s) could
    // have: once the proxy reads again the client sees the connection end (a paused socket does not
    // notice the reset); without the bound it would read all answers and stay connected
    await new Promise((r) => setTimeout(r, 3000));
    proxy.flow();
    const reason = await Promise.race([gone, new Promise<string>((r) => setTimeout(() => r('still connected'), 8000))]);
    expect(reason).not.toBe('still connected');
    expect(performance.now() - started).toBeLessThan(15_000);
    await proxy.close();

    // back: a new connection catches up with everything, the messages sent meanwhile included
    const back = await connect(t.url, c.clients[0]!.token);
    ok(await call(back, 'room.join', { roomId }));
    const all = ok(await call(back, 'room.history', { roomId, afterSeq: 0, limit: 100 })).messages;
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });
});
