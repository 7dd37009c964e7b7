import type { TopicChatListItem } from '../../src/realtime/contract';
import { nicknameProblem as serverProblem } from '../../src/modules/topic-chats/nickname';
import type { LotseSocket } from '../../client/src/lib/socket';
import { nicknameProblem, refusalOf, TopicVisitor } from '../../client/src/portal/topic-visitor';
import { FakeSocket, flush, MemoryStore } from '../harness/fake-socket';

const TOPIC: TopicChatListItem = {
  id: '6f1c2b9e-0000-4000-8000-000000000001',
  title: 'Prüfungsangst',
  description: '',
  startsAt: '2026-12-01T10:00:00Z',
  endsAt: '2026-12-01T12:00:00Z',
  status: 'open',
  capacity: 10,
};

/** A TopicVisitor whose REST calls answer from a table and whose sockets are fakes (one per connect). */
function setup(store = new MemoryStore()) {
  const sockets: FakeSocket[] = [];
  let visitors = 0;
  jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const key = `${init?.method ?? 'GET'} ${typeof input === 'string' ? input : input instanceof URL ? input.href : input.url}`;
    const body =
      key === 'GET /api/centers/demo/topic-chats'
        ? [TOPIC]
        : key === 'POST /api/centers/demo/visitors'
          ? { token: `tok-${++visitors}`, visitorId: `v${visitors}` }
          : undefined;
    return Promise.resolve(new Response(JSON.stringify(body ?? { error: { code: 'NOT_FOUND', message: key } }), { status: body ? 200 : 404 }));
  });
  const visitor = new TopicVisitor('demo', TOPIC.id, store, (token) => {
    const socket = new FakeSocket(token);
    sockets.push(socket);
    return socket as unknown as LotseSocket;
  });
  return { visitor, sockets, store };
}

/** Waits for the next socket the visitor opens. */
async function nextSocket(sockets: FakeSocket[], n: number): Promise<FakeSocket> {
  for (let i = 0; i < 50 && sockets.length < n; i++) await flush();
  return sockets[n - 1]!;
}

afterEach(() => jest.restoreAllMocks());

describe('topic-chat join refusals in the portal', () => {
  it('should name every nickname reason the server gives when topic.join answers VALIDATION_FAILED', () => {
    const staff = ['Counselor 1'];
    const cases: [string, string][] = [
      ['M', 'length'],
      ['x'.repeat(41), 'length'],
      ['Mi\u200Bla', 'invisible'],
      ['--', 'letters'],
      ['Counse1or 1', 'staff'],
      ['Beratung Nord', 'staff'],
    ];
    for (const [nickname, kind] of cases) {
      const message = serverProblem(nickname, staff);
      expect([nickname, message === null ? 'accepted' : refusalOf({ code: 'VALIDATION_FAILED', message, fields: ['nickname'] })]).toEqual([nickname, kind]);
    }
    // the duplicate (or look-alike of a participant) is refused inside the join's transaction
    expect(refusalOf({ code: 'VALIDATION_FAILED', message: 'This nickname is taken in this chat. Please choose another one.', fields: ['nickname'] })).toBe(
      'taken',
    );
    expect(refusalOf({ code: 'VALIDATION_FAILED', message: 'nickname must be shorter than or equal to 40 characters', fields: ['nickname'] })).toBe('length');
    expect(refusalOf({ code: 'VALIDATION_FAILED', message: 'something new', fields: ['nickname'] })).toBe('invalid');
  });

  it('should map the topic codes to their sentences when the server refuses the join', () => {
    expect(refusalOf({ code: 'TOPIC_FULL', message: 'full' })).toBe('full');
    expect(refusalOf({ code: 'TOPIC_NOT_OPEN', message: 'later' })).toBe('notOpen');
    expect(refusalOf({ code: 'FORBIDDEN', message: 'You were removed from this topic chat.' })).toBe('removed');
    expect(refusalOf({ code: 'NOT_FOUND', message: 'gone' })).toBe('missing');
    expect(refusalOf({ code: 'CONFLICT', message: 'taken' })).toBe('taken');
    expect(refusalOf({ code: 'RATE_LIMITED', message: 'wait', retryAfterMs: 1000 })).toBe('RATE_LIMITED');
    expect(refusalOf({ code: 'INTERNAL', message: 'oops' })).toBe('INTERNAL');
  });

  it('should refuse too short, too long and invisible nicknames before sending when the page can tell', () => {
    expect(nicknameProblem(' M ')).toBe('length');
    expect(nicknameProblem('x'.repeat(41))).toBe('length');
    expect(nicknameProblem('Mila\u2060')).toBe('invisible');
    expect(nicknameProblem('  Mila  ')).toBeNull();
    expect(nicknameProblem('Ｍｉｌａ')).toBeNull();
  });
});

describe('TopicVisitor', () => {
  it('should get a new visitor token once when the socket refuses the saved one as UNAUTHORIZED', async () => {
    const store = new MemoryStore();
    store.setItem('lotse.visitor.demo', JSON.stringify({ token: 'expired', visitorId: 'old' }));
    const { visitor, sockets } = setup(store);
    await visitor.load();
    expect(visitor.state).toMatchObject({ phase: 'form', topic: TOPIC });
    const joined = visitor.join('Mila');
    const first = await nextSocket(sockets, 1);
    expect(first.token).toBe('expired');
    first.push('connect_error', new Error('UNAUTHORIZED'));
    const second = await nextSocket(sockets, 2);
    expect(second.token).toBe('tok-1');
    second.connected = true;
    second.push('connect');
    await flush();
    const call = second.calls.find((c) => c.event === 'topic.join')!;
    expect(call.payload).toEqual({ topicChatId: TOPIC.id, nickname: 'Mila' });
    call.ack({ ok: true, data: { roomId: 'room-1' } });
    await expect(joined).resolves.toBe(true);
    expect(visitor.state).toMatchObject({ phase: 'chat', roomId: 'room-1', nickname: 'Mila', selfId: 'v1' });
    expect(JSON.parse(store.getItem('lotse.visitor.demo')!)).toEqual({ token: 'tok-1', visitorId: 'v1' });
  });

  it('should join again with the saved nickname when the page is reloaded, and keep only the nickname after leaving', async () => {
    const store = new MemoryStore();
    store.setItem('lotse.visitor.demo', JSON.stringify({ token: 'tok-0', visitorId: 'v0' }));
    store.setItem(`lotse.topic.demo.${TOPIC.id}`, JSON.stringify({ roomId: 'room-1', nickname: 'Mila' }));
    const { visitor, sockets } = setup(store);
    const loaded = visitor.load();
    const socket = await nextSocket(sockets, 1);
    socket.connected = true;
    socket.push('connect');
    await flush();
    socket.calls.find((c) => c.event === 'topic.join')!.ack({ ok: true, data: { roomId: 'room-1' } });
    await loaded;
    expect(visitor.state).toMatchObject({ phase: 'chat', roomId: 'room-1', nickname: 'Mila', selfId: 'v0' });

    visitor.leave();
    expect(visitor.state.phase).toBe('left');
    expect(socket.connected).toBe(false);
    expect(JSON.parse(store.getItem(`lotse.topic.demo.${TOPIC.id}`)!)).toEqual({ roomId: null, nickname: 'Mila' });
    // a new page in this tab offers the nickname again instead of joining by itself
    const again = setup(store);
    await again.visitor.load();
    expect(again.visitor.state).toMatchObject({ phase: 'form', nickname: 'Mila' });
    expect(again.sockets).toHaveLength(0);
  });

  it('should keep the form with the refusal and forget a saved join when the server refuses it', async () => {
    const store = new MemoryStore();
    store.setItem('lotse.visitor.demo', JSON.stringify({ token: 'tok-0', visitorId: 'v0' }));
    store.setItem(`lotse.topic.demo.${TOPIC.id}`, JSON.stringify({ roomId: 'room-1', nickname: 'Mila' }));
    const { visitor, sockets } = setup(store);
    const loaded = visitor.load();
    const socket = await nextSocket(sockets, 1);
    socket.connected = true;
    socket.push('connect');
    await flush();
    socket.calls.find((c) => c.event === 'topic.join')!.ack({ ok: false, error: { code: 'FORBIDDEN', message: 'You were removed from this topic chat.' } });
    await loaded;
    expect(visitor.state).toMatchObject({ phase: 'form', refusal: 'removed' });
    expect(store.getItem(`lotse.topic.demo.${TOPIC.id}`)).toBeNull();
    visitor.destroy();
  });
});
