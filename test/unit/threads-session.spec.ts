import { RestCall, ThreadsSession, UploadCall } from '../../client/src/portal/threads/threads-session';
import type { ThreadDetail, ThreadListItem, ThreadPostView } from '../../client/src/portal/threads/thread-types';
import { FakeSocket } from '../harness/fake-socket';

interface Call {
  path: string;
  method: string;
  body: unknown;
}
const refused = (code: string) => Promise.reject(Object.assign(new Error(code), { code }));

/** A fake REST server for threads: the list, details, posts (with the clientPostId rule), read markers. */
class FakeRest {
  threads: ThreadListItem[] = [];
  details = new Map<string, ThreadDetail>();
  posts = new Map<string, ThreadPostView[]>();
  calls: Call[] = [];
  /** The next POST /posts answers with this error (once). */
  failNextPost: string | null = null;
  /** While set, a POST /posts stores the post at once but answers only when this is resolved. */
  holdAck: Promise<void> | null = null;
  uploads: { path: string; name: string }[] = [];
  uploadError: string | null = null;
  private seen = new Map<string, { id: string; seq: number }>();

  call: RestCall = <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const method = init.method ?? 'GET';
    this.calls.push({ path, method, body: init.body });
    if (path === '/api/threads') return Promise.resolve(structuredClone(this.threads) as T);
    const posts = /^\/api\/threads\/([^/]+)\/posts(?:\?afterSeq=(\d+))?$/.exec(path);
    if (posts) {
      const id = posts[1]!;
      if (!this.details.has(id)) return refused('NOT_FOUND');
      if (method === 'POST') return this.post(id, init.body as { body: string; clientPostId: string; documentIds?: string[] }) as Promise<T>;
      const after = Number(posts[2] ?? 0);
      return Promise.resolve({ posts: (this.posts.get(id) ?? []).filter((p) => p.seq > after) } as T);
    }
    const read = /^\/api\/threads\/([^/]+)\/read$/.exec(path);
    if (read) return Promise.resolve({} as T);
    const detail = /^\/api\/threads\/([^/]+)$/.exec(path);
    if (detail) {
      const found = this.details.get(detail[1]!);
      return found ? Promise.resolve(structuredClone(found) as T) : refused('NOT_FOUND');
    }
    return refused('INTERNAL');
  };

  upload: UploadCall = <T>(path: string, _file: Blob, name: string): Promise<T> => {
    this.uploads.push({ path, name });
    if (this.uploadError) return refused(this.uploadError);
    return Promise.resolve({ id: `doc-${this.uploads.length}`, name, size: 2048 } as T);
  };

  add(threadId: string, senderId: string, body: string): ThreadPostView {
    const list = this.posts.get(threadId) ?? [];
    const post: ThreadPostView = {
      id: `${threadId}-p${list.length + 1}`,
      seq: list.length + 1,
      kind: 'post',
      sender: { id: senderId, displayName: senderId, role: senderId === 'me' ? 'client' : 'counselor' },
      body,
      documents: [],
      createdAt: new Date(Date.UTC(2026, 0, 1, 12, list.length)).toISOString(),
    };
    this.posts.set(threadId, [...list, post]);
    return post;
  }

  private post(threadId: string, b: { body: string; clientPostId: string; documentIds?: string[] }) {
    if (this.failNextPost) {
      const code = this.failNextPost;
      this.failNextPost = null;
      return refused(code);
    }
    const key = `${threadId}/${b.clientPostId}`;
    const known = this.seen.get(key);
    if (known) return Promise.resolve(known);
    const p = this.add(threadId, 'me', b.body);
    // as the server: the writer's own posts carry their clientPostId
    p.clientPostId = b.clientPostId;
    p.documents = (b.documentIds ?? []).map((id) => ({ id, name: `${id}.pdf`, size: 2048 }));
    const answer = { id: p.id, seq: p.seq };
    this.seen.set(key, answer);
    return this.holdAck ? this.holdAck.then(() => answer) : Promise.resolve(answer);
  }
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

const item = (id: string, over: Partial<ThreadListItem> = {}): ThreadListItem => ({
  id,
  subject: `Subject ${id}`,
  counselor: { id: 'anna', displayName: 'Anna' },
  unread: 0,
  lastPostAt: '2026-01-01T10:00:00.000Z',
  createdAt: '2026-01-01T10:00:00.000Z',
  kind: 'enquiry',
  status: 'open',
  ...over,
});
const detail = (id: string): ThreadDetail => ({
  id,
  kind: 'enquiry',
  status: 'open',
  subject: `Subject ${id}`,
  counselor: { id: 'anna', displayName: 'Anna' },
  members: [
    { id: 'me', displayName: 'grey-owl', role: 'client' },
    { id: 'anna', displayName: 'Anna', role: 'counselor' },
  ],
  lastSeq: 0,
  lastReadSeq: 0,
  absence: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  closedAt: null,
});

const sessions: ThreadsSession[] = [];
async function setup(threads: ThreadListItem[]) {
  const socket = new FakeSocket();
  const rest = new FakeRest();
  rest.threads = threads;
  for (const th of threads) rest.details.set(th.id, detail(th.id));
  let n = 0;
  const session = new ThreadsSession({
    socket,
    call: rest.call,
    upload: rest.upload,
    self: { id: 'me', role: 'client', displayName: 'grey-owl' },
    newId: () => `cpid-${++n}`,
  });
  sessions.push(session);
  socket.connected = true;
  socket.push('connect');
  await flush();
  return { socket, rest, session };
}

afterEach(() => {
  for (const s of sessions.splice(0)) s.destroy();
});

describe('ThreadsSession', () => {
  it('should reload the list and announce the thread when a thread.posted raises its unread count', async () => {
    const { socket, rest, session } = await setup([item('t1'), item('t2')]);
    expect(session.state.threads?.map((t) => t.id)).toEqual(['t1', 't2']);
    rest.threads = [item('t1', { unread: 1 }), item('t2')];
    socket.push('thread.posted', { threadId: 't1', seq: 1, postId: 'x', senderRole: 'counselor' });
    await flush();
    expect(session.state.threads?.find((t) => t.id === 't1')?.unread).toBe(1);
    expect(session.state.news.map((n) => [n.kind, n.threadId])).toEqual([['posted', 't1']]);
  });

  it('should not announce a post when the unread count did not grow (the own post from another tab)', async () => {
    const { socket, session } = await setup([item('t1')]);
    socket.push('thread.posted', { threadId: 't1', seq: 1, postId: 'x', senderRole: 'client' });
    await flush();
    expect(session.state.news).toEqual([]);
  });

  it('should load the posts in seq order, fetch only newer ones after a push, and mark them read when the thread is open', async () => {
    const { socket, rest, session } = await setup([item('t1')]);
    rest.add('t1', 'anna', 'first');
    rest.add('t1', 'anna', 'second');
    await session.open('t1');
    await flush();
    expect(session.state.open?.posts?.map((p) => p.body)).toEqual(['first', 'second']);
    expect(session.state.open?.detail?.subject).toBe('Subject t1');
    expect(rest.calls.filter((c) => c.path === '/api/threads/t1/read').map((c) => c.body)).toEqual([{ seq: 2 }]);

    rest.add('t1', 'anna', 'third');
    socket.push('thread.posted', { threadId: 't1', seq: 3, postId: 'x', senderRole: 'counselor' });
    await flush();
    expect(rest.calls.some((c) => c.path === '/api/threads/t1/posts?afterSeq=2')).toBe(true);
    expect(session.state.open?.posts?.map((p) => p.seq)).toEqual([1, 2, 3]);
    expect(session.state.open?.arrived).toBe(1);
    expect(rest.calls.filter((c) => c.path === '/api/threads/t1/read').map((c) => c.body)).toEqual([{ seq: 2 }, { seq: 3 }]);
    // seen while open: no announcement of the open thread
    expect(session.state.news).toEqual([]);
  });

  it('should keep each post once when two pushes race for the same posts', async () => {
    const { socket, rest, session } = await setup([item('t1')]);
    await session.open('t1');
    rest.add('t1', 'anna', 'a');
    rest.add('t1', 'anna', 'b');
    socket.push('thread.posted', { threadId: 't1', seq: 1, postId: 'x', senderRole: 'counselor' });
    socket.push('thread.posted', { threadId: 't1', seq: 2, postId: 'y', senderRole: 'counselor' });
    await flush();
    expect(session.state.open?.posts?.map((p) => p.seq)).toEqual([1, 2]);
  });

  it('should not move the read marker while the page is hidden, and move it once it is seen again', async () => {
    const { socket, rest, session } = await setup([item('t1')]);
    await session.open('t1');
    session.setVisible(false);
    rest.add('t1', 'anna', 'while away');
    rest.threads = [item('t1', { unread: 1 })];
    socket.push('thread.posted', { threadId: 't1', seq: 1, postId: 'x', senderRole: 'counselor' });
    await flush();
    expect(rest.calls.filter((c) => c.path === '/api/threads/t1/read')).toEqual([]);
    expect(session.state.news.map((n) => n.threadId)).toEqual(['t1']);
    session.setVisible(true);
    await flush();
    expect(rest.calls.filter((c) => c.path === '/api/threads/t1/read').map((c) => c.body)).toEqual([{ seq: 1 }]);
    expect(session.state.threads?.[0]?.unread).toBe(0);
  });

  it('should send a post with a clientPostId and retry a failed one with the same id, storing one post', async () => {
    const { rest, session } = await setup([item('t1')]);
    await session.open('t1');
    rest.failNextPost = 'NETWORK';
    session.send('Hallo');
    await flush();
    expect(session.state.open?.pending).toEqual([{ clientPostId: 'cpid-1', body: 'Hallo', documents: [], state: 'failed', error: 'NETWORK' }]);
    session.retry('cpid-1');
    await flush();
    session.retry('cpid-1'); // nothing pending any more: a no-op
    await flush();
    const sent = rest.calls.filter((c) => c.method === 'POST' && c.path === '/api/threads/t1/posts').map((c) => c.body);
    expect(sent).toEqual([
      { body: 'Hallo', clientPostId: 'cpid-1' },
      { body: 'Hallo', clientPostId: 'cpid-1' },
    ]);
    expect(session.state.open?.pending).toEqual([]);
    expect(session.state.open?.posts?.map((p) => [p.body, p.sender?.id])).toEqual([['Hallo', 'me']]);
  });

  it('should never show a post twice when its push arrives before the answer to the send', async () => {
    const { rest, socket, session } = await setup([item('t1')]);
    await session.open('t1');
    let ack!: () => void;
    rest.holdAck = new Promise<void>((r) => (ack = r));
    const shown: number[] = [];
    session.subscribe(() => {
      const open = session.state.open;
      if (open) shown.push((open.posts ?? []).filter((p) => p.body === 'Hallo').length + open.pending.filter((p) => p.body === 'Hallo').length);
    });
    session.send('Hallo');
    await flush();
    // the server stored it and pushed; the answer to the POST is still on its way
    socket.push('thread.posted', { threadId: 't1', seq: 1, postId: 't1-p1', senderRole: 'client' });
    await flush();
    expect(session.state.open?.pending).toEqual([]);
    ack();
    await flush();
    expect(session.state.open?.posts?.map((p) => p.body)).toEqual(['Hallo']);
    expect(shown.length).toBeGreaterThan(0);
    expect(Math.max(...shown)).toBe(1);
  });

  it('should keep the reason of a refused post (CONFLICT for a closed thread) next to it', async () => {
    const { rest, session } = await setup([item('t1')]);
    await session.open('t1');
    rest.failNextPost = 'CONFLICT';
    session.send('too late');
    await flush();
    expect(session.state.open?.pending[0]).toMatchObject({ state: 'failed', error: 'CONFLICT' });
  });

  it('should send uploaded documents with the next post and clear them afterwards', async () => {
    const { rest, session } = await setup([item('t1')]);
    await session.open('t1');
    await expect(session.attach(new Blob(['%PDF-1.7']), 'plan.pdf')).resolves.toBe(true);
    expect(rest.uploads).toEqual([{ path: '/api/threads/t1/documents', name: 'plan.pdf' }]);
    expect(session.state.open?.attachments).toEqual([{ id: 'doc-1', name: 'plan.pdf', size: 2048 }]);
    session.send('Hier ist der Plan');
    await flush();
    const sent = rest.calls.find((c) => c.method === 'POST' && c.path === '/api/threads/t1/posts');
    expect(sent?.body).toEqual({ body: 'Hier ist der Plan', clientPostId: 'cpid-1', documentIds: ['doc-1'] });
    expect(session.state.open?.attachments).toEqual([]);
    expect(session.state.open?.posts?.[0]?.documents).toEqual([{ id: 'doc-1', name: 'doc-1.pdf', size: 2048 }]);
  });

  it('should keep the upload refusal and attach nothing when the server refuses the file', async () => {
    const { rest, session } = await setup([item('t1')]);
    await session.open('t1');
    rest.uploadError = 'UNSUPPORTED_MEDIA_TYPE';
    await expect(session.attach(new Blob(['<html>']), 'fake.pdf')).resolves.toBe(false);
    expect(session.state.open).toMatchObject({ uploading: false, uploadError: 'UNSUPPORTED_MEDIA_TYPE', attachments: [] });
    session.clearUploadError();
    expect(session.state.open?.uploadError).toBeNull();
  });

  it('should say NOT_FOUND when the thread is not the caller’s', async () => {
    const { session } = await setup([item('t1')]);
    await session.open('elsewhere');
    expect(session.state.open?.error).toBe('NOT_FOUND');
    expect(session.state.open?.posts).toBeNull();
  });

  it('should show NOT_FOUND when the open thread is taken away (reassigned) and a push asks for new posts', async () => {
    const { socket, rest, session } = await setup([item('t1')]);
    await session.open('t1');
    rest.details.delete('t1');
    socket.push('thread.posted', { threadId: 't1', seq: 1, postId: 'x', senderRole: 'system' });
    await flush();
    expect(session.state.open?.error).toBe('NOT_FOUND');
  });

  it('should reload the details and announce a change on thread.updated', async () => {
    const { socket, rest, session } = await setup([item('t1', { status: 'waiting', counselor: null })]);
    rest.threads = [item('t1')];
    socket.push('thread.updated', { threadId: 't1' });
    await flush();
    expect(session.state.threads?.[0]?.counselor?.displayName).toBe('Anna');
    expect(session.state.news.map((n) => [n.kind, n.threadId])).toEqual([['updated', 't1']]);
  });

  it('should catch up on the list and the open thread after a reconnect and follow no socket after destroy', async () => {
    const { socket, rest, session } = await setup([item('t1')]);
    await session.open('t1');
    socket.connected = false;
    socket.push('disconnect', 'transport close');
    expect(session.state.online).toBe(false);
    rest.add('t1', 'anna', 'missed');
    socket.connected = true;
    socket.push('connect');
    await flush();
    expect(session.state.online).toBe(true);
    expect(session.state.open?.posts?.map((p) => p.body)).toEqual(['missed']);
    session.destroy();
    expect(socket.listenerCount()).toBe(0);
  });
});
