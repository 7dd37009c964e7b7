import type { LotseSocket } from '../../client/src/lib/socket';
import { CenterInfo, DEFAULT_QUICK_EXIT_URL, WidgetSession } from '../../client/src/widget/session';
import { FakeSocket, flush, MemoryStore } from '../harness/fake-socket';

const CENTER: CenterInfo = { slug: 'demo', name: 'Demo', privacyText: null, emergencyText: null, openingHours: [], timeZone: 'Europe/Berlin' };

/** A session whose REST calls answer from a table and whose socket is the fake. */
function setup(center: CenterInfo = CENTER) {
  const socket = new FakeSocket();
  const store = new MemoryStore();
  const answers: Record<string, unknown> = {
    'GET /api/centers/demo': center,
    'GET /api/centers/demo/live': { open: true, full: false, waiting: 0 },
    'GET /api/centers/demo/topic-chats': [],
    'POST /api/centers/demo/visitors': { token: 'tok', visitorId: 'v1' },
  };
  jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const key = `${init?.method ?? 'GET'} ${typeof input === 'string' ? input : input instanceof URL ? input.href : input.url}`;
    if (!(key in answers)) return Promise.resolve(new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: key } }), { status: 404 }));
    return Promise.resolve(new Response(JSON.stringify(answers[key]), { status: 200 }));
  });
  const session = new WidgetSession('demo', store, { connect: () => socket as unknown as LotseSocket, connectTimeoutMs: 6000 });
  sessions.push(session);
  return { session, socket, store };
}

/** Consent and start, with the socket connected and the queue.join answered. */
async function startWaiting(s: ReturnType<typeof setup>, position = 2, first = '') {
  await s.session.init();
  s.session.consent();
  await s.session.start(first);
  s.socket.connect();
  s.socket.take('queue.join').ack({ ok: true, data: { position } });
  await flush();
}

const sessions: WidgetSession[] = [];

afterEach(() => {
  // no timer outlives a test
  for (const s of sessions.splice(0)) s.forget();
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('WidgetSession', () => {
  it('should report a live connection that is not up within the timeout, and clear it when it connects', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    const s = setup();
    await s.session.init();
    s.session.consent();
    await s.session.start('Hallo');
    expect(s.session.state).toMatchObject({ phase: 'compose', busy: true, connectProblem: false });
    jest.advanceTimersByTime(5999);
    expect(s.session.state.connectProblem).toBe(false);
    jest.advanceTimersByTime(1);
    expect(s.session.state.connectProblem).toBe(true);

    s.socket.connect();
    expect(s.session.state.connectProblem).toBe(false);
    const join = s.socket.take('queue.join');
    expect(join.payload).toEqual({ message: 'Hallo' });
    join.ack({ ok: true, data: { position: 1 } });
  });

  it('should say so at once when the connection is refused (connect_error other than UNAUTHORIZED)', async () => {
    const s = setup();
    await s.session.init();
    s.session.consent();
    await s.session.start('');
    s.socket.push('connect_error', new Error('websocket error'));
    expect(s.session.state).toMatchObject({ phase: 'compose', connectProblem: true });
  });

  it('should show the estimate while waiting, and null as "cannot estimate"', async () => {
    const s = setup();
    await startWaiting(s);
    expect(s.session.state).toMatchObject({ phase: 'waiting', position: 2, estimate: undefined });
    s.socket.push('queue.position', { position: 1, estimateMinutes: 4 });
    expect(s.session.state).toMatchObject({ position: 1, estimate: 4 });
    s.socket.push('queue.position', { position: 1, estimateMinutes: null });
    expect(s.session.state.estimate).toBeNull();
  });

  it('should pause while the counselor is away, resume, and name the new counselor after a hand-over (also after a reload)', async () => {
    const s = setup();
    await startWaiting(s);
    s.socket.push('queue.assigned', { roomId: 'r1', peer: { displayName: 'Anna' } });
    expect(s.session.state).toMatchObject({ phase: 'chat', peer: 'Anna', paused: false });

    s.socket.push('live.paused', { roomId: 'other', who: 'counselor' });
    s.socket.push('live.paused', { roomId: 'r1', who: 'visitor' });
    expect(s.session.state.paused).toBe(false);
    s.socket.push('live.paused', { roomId: 'r1', who: 'counselor' });
    expect(s.session.state.paused).toBe(true);
    s.socket.push('live.resumed', { roomId: 'r1', who: 'counselor' });
    expect(s.session.state.paused).toBe(false);

    s.socket.push('live.paused', { roomId: 'r1', who: 'counselor' });
    s.socket.push('live.handedOver', { roomId: 'r1', peer: { displayName: 'Ben' } });
    expect(s.session.state).toMatchObject({ peer: 'Ben', handedOverTo: 'Ben', paused: false });
    expect(JSON.parse(s.store.getItem('lotse.widget.demo')!)).toMatchObject({ phase: 'chat', roomId: 'r1', peer: 'Ben' });
  });

  it('should end with the reason the server gives and forget the identity', async () => {
    const s = setup();
    await startWaiting(s);
    s.socket.push('queue.assigned', { roomId: 'r1', peer: { displayName: 'Anna' } });
    s.socket.push('live.paused', { roomId: 'r1', who: 'counselor' });
    s.socket.push('room.closed', { roomId: 'r1', reason: 'counselor_gone' });
    expect(s.session.state).toMatchObject({ phase: 'ended', endReason: 'counselor_gone', paused: false });
    expect(s.store.getItem('lotse.widget.demo')).toBeNull();
    expect(s.socket.disconnected).toBe(true);
  });

  it('should show "blocked" (not a generic error) when queue.join is refused with FORBIDDEN', async () => {
    const s = setup();
    await s.session.init();
    s.session.consent();
    await s.session.start('');
    s.socket.connect();
    s.socket.take('queue.join').ack({ ok: false, error: { code: 'FORBIDDEN', message: 'The live chat is not available to you.' } });
    await flush();
    expect(s.session.state.phase).toBe('blocked');
  });

  it('should show the removal when a counselor takes the visitor out of the queue', async () => {
    const s = setup();
    await startWaiting(s);
    s.socket.push('queue.closed', { reason: 'removed' });
    expect(s.session.state).toMatchObject({ phase: 'ended', endReason: 'removed' });
  });

  it('should join again with its first message when the server lost the waiting line, and say so until the chat begins', async () => {
    const s = setup();
    await startWaiting(s, 3, 'Ich brauche Hilfe');
    s.socket.push('queue.closed', { reason: 'lost' });
    expect(s.session.state).toMatchObject({ phase: 'waiting', lineLost: true, position: null });
    const again = s.socket.take('queue.join');
    expect(again.payload).toEqual({ message: 'Ich brauche Hilfe' });
    again.ack({ ok: true, data: { position: 5 } });
    await flush();
    expect(s.session.state).toMatchObject({ phase: 'waiting', lineLost: true, position: 5 });
    expect(s.store.getItem('lotse.widget.demo')).not.toContain('Ich brauche Hilfe');
    s.socket.push('queue.assigned', { roomId: 'r1', peer: { displayName: 'Anna' } });
    expect(s.session.state).toMatchObject({ phase: 'chat', lineLost: false });
    // in a chat (or after it) the push changes nothing and joins nothing
    s.socket.push('queue.closed', { reason: 'lost' });
    expect(s.session.state).toMatchObject({ phase: 'chat', lineLost: false });
    expect(() => s.socket.take('queue.join')).toThrow();
  });

  it('should send queue.leave on quick exit, clear the storage and drop the socket without waiting long for the answer', async () => {
    const s = setup();
    await startWaiting(s);
    s.socket.push('queue.assigned', { roomId: 'r1', peer: { displayName: 'Anna' } });
    expect(s.store.data.size).toBeGreaterThan(0);
    const started = Date.now();
    await s.session.quickExit(50); // nobody answers the leave
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.socket.calls.map((c) => c.event)).toContain('queue.leave');
    expect(s.store.data.size).toBe(0);
    expect(s.socket.disconnected).toBe(true);
  });

  it('should leave to the center’s quick-exit page, a path on this site, or the default', async () => {
    const url = async (quickExitUrl: string | undefined) => {
      const s = setup({ ...CENTER, quickExitUrl });
      await s.session.init();
      jest.restoreAllMocks();
      return s.session.quickExitUrl();
    };
    await expect(url('https://www.example.org/wetter')).resolves.toBe('https://www.example.org/wetter');
    await expect(url('/neutral.html')).resolves.toBe('/neutral.html');
    await expect(url(undefined)).resolves.toBe(DEFAULT_QUICK_EXIT_URL);
    await expect(url('javascript:alert(1)')).resolves.toBe(DEFAULT_QUICK_EXIT_URL);
    await expect(url('//evil.example')).resolves.toBe(DEFAULT_QUICK_EXIT_URL);
  });
});
