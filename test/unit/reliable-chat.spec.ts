import type { MessageView } from '../../src/realtime/contract';
import { ReliableChat } from '../../client/src/lib/reliable-chat';
import { FakeSocket, flush, MemoryStore } from '../harness/fake-socket';

const msg = (seq: number, over: Partial<MessageView> = {}): MessageView => ({
  roomId: 'r1',
  id: `m${seq}`,
  seq,
  clientMsgId: `c${seq}`,
  sender: { id: 'counselor', displayName: 'Anna', role: 'counselor' },
  body: `hello ${seq}`,
  sentAt: new Date(2025, 0, 1, 12, 0, seq).toISOString(),
  ...over,
});

async function joinAndHistory(s: FakeSocket, history: MessageView[]): Promise<void> {
  await flush();
  s.take('room.join').ack({ ok: true, data: { roomId: 'r1', name: 'live', lastSeq: history.length } });
  await flush();
  s.take('room.history').ack({ ok: true, data: { messages: history } });
  await flush();
}

const created: ReliableChat[] = [];
function track(chat: ReliableChat): ReliableChat {
  created.push(chat);
  return chat;
}

describe('ReliableChat', () => {
  let ids = 0;
  const newId = () => `id-${++ids}`;
  afterEach(() => {
    for (const c of created.splice(0)) c.destroy();
  });

  it('should resend an unacked message with the same clientMsgId after a reconnect', async () => {
    const s = new FakeSocket();
    const chat = track(new ReliableChat(s, { selfId: 'me', newId }));
    chat.addRoom('r1');
    s.connect();
    await joinAndHistory(s, []);
    const id = chat.send('r1', 'first');
    const firstTry = s.take('message.send');
    expect(firstTry.payload).toEqual({ roomId: 'r1', clientMsgId: id, body: 'first' });
    expect(chat.room('r1')!.pending.map((p) => p.state)).toEqual(['sending']);

    s.drop(); // the ack is lost with the connection
    s.connect();
    await joinAndHistory(s, []);
    const secondTry = s.take('message.send');
    expect(secondTry.payload.clientMsgId).toBe(id);
    secondTry.ack({ ok: true, data: { id: 'm1', seq: 1, sentAt: new Date().toISOString() } });
    await flush();
    expect(chat.room('r1')!.pending).toEqual([]);
    expect(chat.room('r1')!.messages.map((m) => m.body)).toEqual(['first']);
  });

  it('should ask for history after the last seen seq when it reconnects', async () => {
    const s = new FakeSocket();
    const chat = track(new ReliableChat(s, { selfId: 'me', newId }));
    chat.addRoom('r1');
    s.connect();
    await joinAndHistory(s, [msg(1), msg(2)]);
    s.drop();
    s.connect();
    await flush();
    s.take('room.join').ack({ ok: true, data: { roomId: 'r1', name: 'live', lastSeq: 4 } });
    await flush();
    const history = s.take('room.history');
    expect(history.payload).toMatchObject({ roomId: 'r1', afterSeq: 2 });
    history.ack({ ok: true, data: { messages: [msg(3), msg(4)] } });
    await flush();
    expect(chat.room('r1')!.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('should show every message once in seq order when pushes and history overlap', async () => {
    const s = new FakeSocket();
    const chat = track(new ReliableChat(s, { selfId: 'me', newId }));
    chat.addRoom('r1');
    s.connect();
    s.push('message.created', msg(2));
    await joinAndHistory(s, [msg(1), msg(2)]);
    s.push('message.created', msg(2));
    s.push('message.created', msg(4));
    s.push('message.created', msg(3));
    expect(chat.room('r1')!.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(chat.room('r1')!.lastSeq).toBe(4);
  });

  it('should fetch the history after the gap-free prefix on refill when a push never came', async () => {
    const s = new FakeSocket();
    const chat = track(new ReliableChat(s, { selfId: 'me', newId }));
    chat.addRoom('r1');
    await chat.refill('r1'); // not connected: asks nothing
    expect(s.calls).toEqual([]);
    s.connect();
    await joinAndHistory(s, [msg(1)]);
    s.push('message.created', msg(3)); // 2 was lost on the way
    expect(chat.room('r1')!.lastSeq).toBe(1);
    const refilled = chat.refill('r1');
    const history = s.take('room.history');
    expect(history.payload).toMatchObject({ roomId: 'r1', afterSeq: 1 });
    history.ack({ ok: true, data: { messages: [msg(2), msg(3)] } });
    await refilled;
    expect(chat.room('r1')!.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(chat.room('r1')!.lastSeq).toBe(3);
  });

  it('should drop a pending message when history shows it was stored before the ack got lost', async () => {
    const s = new FakeSocket();
    const chat = track(new ReliableChat(s, { selfId: 'me', newId }));
    chat.addRoom('r1');
    s.connect();
    await joinAndHistory(s, []);
    const id = chat.send('r1', 'stored already');
    s.take('message.send');
    s.drop();
    s.connect();
    await joinAndHistory(s, [msg(1, { clientMsgId: id, sender: { id: 'me', displayName: 'Du', role: 'visitor' }, body: 'stored already' })]);
    expect(s.calls.filter((c) => c.event === 'message.send')).toEqual([]);
    expect(chat.room('r1')!.pending).toEqual([]);
    expect(chat.room('r1')!.messages).toHaveLength(1);
  });

  it('should mark a refused message as failed and send it again with the same id on retry', async () => {
    const s = new FakeSocket();
    const chat = track(new ReliableChat(s, { selfId: 'me', newId }));
    chat.addRoom('r1');
    s.connect();
    await joinAndHistory(s, []);
    const id = chat.send('r1', 'x');
    s.take('message.send').ack({ ok: false, error: { code: 'RATE_LIMITED', message: 'slow down' } });
    await flush();
    expect(chat.room('r1')!.pending[0]).toMatchObject({ clientMsgId: id, state: 'failed', error: 'RATE_LIMITED' });
    chat.retry(id);
    expect(chat.room('r1')!.pending[0]!.state).toBe('sending');
    const again = s.take('message.send');
    expect(again.payload.clientMsgId).toBe(id);
  });

  it('should wait retryAfterMs and then resend with the same id when the server answers RATE_LIMITED with a wait', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const s = new FakeSocket();
      const chat = track(new ReliableChat(s, { selfId: 'me', newId }));
      chat.addRoom('r1');
      s.connect();
      await joinAndHistory(s, []);
      const id = chat.send('r1', 'x');
      s.take('message.send').ack({ ok: false, error: { code: 'RATE_LIMITED', message: 'Too many attempts. Please wait 3 seconds.', retryAfterMs: 3000 } });
      await flush();
      // not failed: it waits, and neither a reconnect nor the retry button sends it early
      expect(chat.room('r1')!.pending[0]).toMatchObject({ clientMsgId: id, state: 'sending', error: 'RATE_LIMITED' });
      chat.retry(id);
      s.drop();
      s.connect();
      await joinAndHistory(s, []);
      jest.advanceTimersByTime(2999);
      await flush();
      expect(s.calls.filter((c) => c.event === 'message.send')).toEqual([]);
      jest.advanceTimersByTime(1);
      await flush();
      const again = s.take('message.send');
      expect(again.payload).toMatchObject({ roomId: 'r1', clientMsgId: id, body: 'x' });
      again.ack({ ok: true, data: { id: 'm1', seq: 1, sentAt: new Date().toISOString() } });
      await flush();
      expect(chat.room('r1')!.pending).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('should keep pending messages in the store and resend them after a reload', async () => {
    const store = new MemoryStore();
    const s1 = new FakeSocket();
    const chat1 = new ReliableChat(s1, { selfId: 'me', newId, store, storeKey: 'k' });
    chat1.addRoom('r1');
    const id = chat1.send('r1', 'typed before reload'); // never connected: stays pending
    chat1.destroy();

    const s2 = new FakeSocket();
    const chat2 = track(new ReliableChat(s2, { selfId: 'me', newId, store, storeKey: 'k' }));
    expect(chat2.roomIds()).toEqual(['r1']);
    s2.connect();
    await joinAndHistory(s2, [msg(1)]);
    const sent = s2.take('message.send');
    expect(sent.payload).toEqual({ roomId: 'r1', clientMsgId: id, body: 'typed before reload' });
    chat2.clear();
    expect(store.getItem('k')).toBeNull();
  });

  it('should flag the ack-built own message as a placeholder until the server view of it arrives', async () => {
    const s = new FakeSocket();
    const chat = track(new ReliableChat(s, { selfId: 'me', newId }));
    chat.addRoom('r1');
    s.connect();
    await joinAndHistory(s, []);
    const id = chat.send('r1', 'mine');
    const sentAt = new Date(2025, 0, 1, 12, 0, 1).toISOString();
    s.take('message.send').ack({ ok: true, data: { id: 'm1', seq: 1, sentAt } });
    await flush();
    expect(chat.room('r1')!.messages).toEqual([expect.objectContaining({ seq: 1, clientMsgId: id, body: 'mine', placeholder: true })]);

    // the server's own view replaces it, also when the display name it carries is empty
    const server = msg(1, { id: 'm1', clientMsgId: id, body: 'mine', sentAt, sender: { id: 'me', displayName: '', role: 'visitor' } });
    s.push('message.created', server);
    expect(chat.room('r1')!.messages).toEqual([server]);
    expect(chat.room('r1')!.messages[0]!.placeholder).toBeUndefined();
  });

  it('should report a closed room when the server closes it', async () => {
    const s = new FakeSocket();
    const closed: string[] = [];
    const chat = track(new ReliableChat(s, { selfId: 'me', newId, onClosed: (roomId, reason) => closed.push(`${roomId}:${reason}`) }));
    chat.addRoom('r1');
    s.connect();
    await joinAndHistory(s, []);
    s.push('room.closed', { roomId: 'r1', reason: 'ended' });
    expect(closed).toEqual(['r1:ended']);
    expect(chat.room('r1')!.closed).toBe('ended');
  });

  it('should try the join again while connected when it was refused for a moment, and then send what is pending', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const s = new FakeSocket();
      const chat = track(new ReliableChat(s, { selfId: 'me', newId }));
      chat.addRoom('r1');
      const id = chat.send('r1', 'waiting');
      s.connect();
      await flush();
      // the database was away: the join fails, the socket stays connected (found by the fault suite)
      s.take('room.join').ack({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong' } });
      await flush();
      expect(chat.room('r1')!.synced).toBe(false);
      jest.advanceTimersByTime(1000);
      await joinAndHistory(s, [msg(1)]);
      expect(chat.room('r1')!.synced).toBe(true);
      expect(s.take('message.send').payload).toMatchObject({ roomId: 'r1', clientMsgId: id, body: 'waiting' });
    } finally {
      jest.useRealTimers();
    }
  });
});
