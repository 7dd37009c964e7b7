import { THREAD_LIMITS, type AccountView, type ServerToClientEvents } from '../../../../src/realtime/contract';
import { Store } from '../../lib/store';
import type { DocumentView, ThreadDetail, ThreadListItem, ThreadPostView } from './thread-types';

/** The pushes the threads pages follow (no content: the page fetches what is new). */
type ThreadsListeners = Pick<ServerToClientEvents, 'thread.posted' | 'thread.updated'> & {
  connect: () => void;
  disconnect: (reason: string) => void;
};

/** The part of the portal's socket the threads pages need: they only listen, everything else is REST. */
export interface ThreadsSocket {
  readonly connected: boolean;
  on<E extends keyof ThreadsListeners>(event: E, listener: ThreadsListeners[E]): unknown;
  off<E extends keyof ThreadsListeners>(event: E, listener: ThreadsListeners[E]): unknown;
}

/** An authenticated REST call (PortalSession.call); rejects with an error that carries `code`. */
export type RestCall = <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;
/** An authenticated multipart upload (PortalSession.upload). */
export type UploadCall = <T>(path: string, file: Blob, name: string) => Promise<T>;

/** Something the live region says, as data (the page words it from the catalogue). */
export interface ThreadNews {
  id: number;
  kind: 'posted' | 'updated';
  threadId: string;
  subject: string | null;
}

/** An own post not yet confirmed by the server (sending, or failed with its error code). */
export interface PendingPost {
  clientPostId: string;
  body: string;
  documents: DocumentView[];
  state: 'sending' | 'failed';
  error: string | null;
}

/** The thread shown on the thread page. */
export interface OpenThread {
  threadId: string;
  detail: ThreadDetail | null;
  /** The posts the caller may see, by `seq`; null until the first page is loaded. */
  posts: ThreadPostView[] | null;
  pending: PendingPost[];
  /** Uploaded documents that go with the next post. */
  attachments: DocumentView[];
  uploading: boolean;
  uploadError: string | null;
  /** Why the thread cannot be shown (NOT_FOUND: not the caller's, or gone). */
  error: string | null;
  /** How many posts of others arrived since the page opened (for the polite announcement). */
  arrived: number;
}

export interface ThreadsState {
  /** The caller's threads (admins: waiting enquiries and open threads, without subjects); null while loading. */
  threads: ThreadListItem[] | null;
  listError: string | null;
  news: ThreadNews[];
  open: OpenThread | null;
  online: boolean;
}

export interface ThreadsSessionOptions {
  socket: ThreadsSocket;
  call: RestCall;
  upload: UploadCall;
  self: AccountView;
  /** A fresh clientPostId (crypto.randomUUID in the page). */
  newId?: () => string;
}

const MAX_NEWS = 5;
const enc = encodeURIComponent;

/**
 * The mail threads of one signed-in person, framework-free: the list with unread counts kept live
 * (`thread.posted` and `thread.updated` only say that something changed; the list is reloaded from
 * the server, the truth, and a grown unread count is announced), and the open thread: its posts by
 * `seq` (fetched with `afterSeq` after every push and reconnect, deduplicated), own posts sent with
 * a `clientPostId` that a retry reuses (the server stores one post per id), documents uploaded
 * before the post that carries them, and the read marker moved while the page is seen.
 */
export class ThreadsSession extends Store<ThreadsState> {
  state: ThreadsState = { threads: null, listError: null, news: [], open: null, online: false };
  private readonly detach: (() => void)[] = [];
  private visible = true;
  private newsId = 0;
  private readonly readSent = new Map<string, number>();
  private loading: Promise<void> | null = null;
  private again = false;
  private fetching: Promise<void> | null = null;
  private refetch = false;
  private destroyed = false;

  constructor(private readonly options: ThreadsSessionOptions) {
    super();
    this.listen('connect', () => {
      this.set({ online: true });
      void this.reload();
      void this.fetchPosts();
    });
    this.listen('disconnect', () => this.set({ online: false }));
    this.listen('thread.posted', (p) => {
      void this.reload(p.threadId);
      if (this.state.open?.threadId === p.threadId) void this.fetchPosts();
    });
    this.listen('thread.updated', (p) => {
      void this.reload(p.threadId, 'updated');
      if (this.state.open?.threadId === p.threadId) void this.loadDetail(p.threadId);
    });
    this.state = { ...this.state, online: options.socket.connected };
    void this.reload();
  }

  /**
   * Loads the list again. With `threadId`, a grown unread count of that thread (or, for
   * `updated`, any change) is announced in the live region unless the thread is open and seen.
   */
  reload(threadId?: string, kind: ThreadNews['kind'] = 'posted'): Promise<void> {
    const before = threadId ? this.state.threads?.find((t) => t.id === threadId) : undefined;
    const run = async () => {
      try {
        const threads = await this.options.call<ThreadListItem[]>('/api/threads');
        if (this.destroyed) return;
        this.set({ threads: threads.map((t) => this.withOwnRead(t)), listError: null });
      } catch (err) {
        if (!this.destroyed) this.set({ listError: codeOf(err) });
      }
    };
    const announce = () => {
      if (!threadId) return;
      const after = this.state.threads?.find((t) => t.id === threadId);
      const seen = this.state.open?.threadId === threadId && this.visible;
      if (!after || seen) return;
      if (kind === 'updated' || after.unread > (before?.unread ?? 0)) this.announce(kind, threadId, after.subject);
    };
    if (this.loading) {
      // one more load after the running one: its answer may predate this push
      this.again = true;
      return this.loading.then(announce);
    }
    this.loading = (async () => {
      do {
        this.again = false;
        await run();
      } while (this.again && !this.destroyed);
      this.loading = null;
    })();
    return this.loading.then(announce);
  }

  /** Shows a thread: its details, all visible posts, and the read marker while the page is seen. */
  async open(threadId: string): Promise<void> {
    this.set({
      open: { threadId, detail: null, posts: null, pending: [], attachments: [], uploading: false, uploadError: null, error: null, arrived: 0 },
    });
    await this.loadDetail(threadId);
    if (this.state.open?.threadId === threadId && !this.state.open.error) await this.fetchPosts();
  }

  leave(threadId: string): void {
    if (this.state.open?.threadId === threadId) this.set({ open: null });
  }

  /** The page is seen (document visibility): the read marker moves only while it is. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.markRead();
  }

  /** Sends a post (with the attached documents); failed posts stay, with their reason, for a retry. */
  send(body: string): void {
    const open = this.state.open;
    if (!open || open.error || (!body.trim() && open.attachments.length === 0)) return;
    const pending: PendingPost = {
      clientPostId: this.options.newId?.() ?? crypto.randomUUID(),
      body,
      documents: open.attachments,
      state: 'sending',
      error: null,
    };
    this.patchOpen({ pending: [...open.pending, pending], attachments: [] });
    void this.deliver(open.threadId, pending);
  }

  /** Sends a failed post again with the same clientPostId (the server keeps one post per id). */
  retry(clientPostId: string): void {
    const open = this.state.open;
    const p = open?.pending.find((x) => x.clientPostId === clientPostId);
    if (!open || !p || p.state !== 'failed') return;
    const again: PendingPost = { ...p, state: 'sending', error: null };
    this.patchPending(clientPostId, again);
    void this.deliver(open.threadId, again);
  }

  /** Uploads a PDF for the next post; a refusal (type, size, quota) is kept as `uploadError`. */
  async attach(file: Blob, name: string): Promise<boolean> {
    const open = this.state.open;
    if (!open || open.error) return false;
    this.patchOpen({ uploading: true, uploadError: null });
    try {
      const doc = await this.options.upload<DocumentView>(`/api/threads/${enc(open.threadId)}/documents`, file, name);
      if (this.state.open?.threadId !== open.threadId) return false;
      this.patchOpen({ uploading: false, attachments: [...this.state.open.attachments, doc] });
      return true;
    } catch (err) {
      if (this.state.open?.threadId === open.threadId) this.patchOpen({ uploading: false, uploadError: codeOf(err) });
      return false;
    }
  }

  /** Takes an uploaded document off the next post (it is never attached, and expires on the server). */
  detachDocument(documentId: string): void {
    const open = this.state.open;
    if (open) this.patchOpen({ attachments: open.attachments.filter((d) => d.id !== documentId) });
  }

  clearUploadError(): void {
    if (this.state.open?.uploadError) this.patchOpen({ uploadError: null });
  }

  /** Fetches the posts after the newest one shown (after a push, a reconnect, an own post). */
  fetchPosts(): Promise<void> {
    if (this.fetching) {
      this.refetch = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      do {
        this.refetch = false;
        await this.fetchOnce();
      } while (this.refetch && !this.destroyed);
      this.fetching = null;
    })();
    return this.fetching;
  }

  destroy(): void {
    this.destroyed = true;
    for (const off of this.detach) off();
  }

  // ---- internals -------------------------------------------------------------------------------

  private listen<E extends keyof ThreadsListeners>(event: E, fn: ThreadsListeners[E]): void {
    this.options.socket.on(event, fn);
    this.detach.push(() => this.options.socket.off(event, fn));
  }

  private async loadDetail(threadId: string): Promise<void> {
    try {
      const detail = await this.options.call<ThreadDetail>(`/api/threads/${enc(threadId)}`);
      if (this.state.open?.threadId === threadId) this.patchOpen({ detail });
    } catch (err) {
      if (this.state.open?.threadId === threadId) this.patchOpen({ error: codeOf(err) });
    }
  }

  private async fetchOnce(): Promise<void> {
    const open = this.state.open;
    if (!open || open.error) return;
    const after = open.posts?.reduce((max, p) => Math.max(max, p.seq), 0) ?? 0;
    try {
      // pages of THREAD_LIMITS.pageMax, until a short one
      const posts: ThreadPostView[] = [];
      for (let from = after; ;) {
        const page = (await this.options.call<{ posts: ThreadPostView[] }>(`/api/threads/${enc(open.threadId)}/posts?afterSeq=${from}`)).posts;
        posts.push(...page);
        if (page.length < THREAD_LIMITS.pageMax || this.state.open?.threadId !== open.threadId) break;
        from = page.reduce((max, p) => Math.max(max, p.seq), from);
      }
      const now = this.state.open;
      if (now?.threadId !== open.threadId) return;
      const known = new Set(now.posts?.map((p) => p.seq));
      const fresh = posts.filter((p) => !known.has(p.seq));
      const merged = [...(now.posts ?? []), ...fresh].sort((a, b) => a.seq - b.seq);
      // the first page is what was there; later ones are news (others' posts only)
      const arrived = now.posts ? fresh.filter((p) => p.sender?.id !== this.options.self.id).length : 0;
      // a post that is stored leaves the "sending" list in the same step, so it never shows twice
      const stored = new Set(merged.flatMap((p) => (p.clientPostId ? [p.clientPostId] : [])));
      const pending = now.pending.filter((x) => !stored.has(x.clientPostId));
      this.patchOpen({ posts: merged, pending, arrived: now.arrived + arrived });
      this.markRead();
    } catch (err) {
      const now = this.state.open;
      // a thread taken away (reassigned, deleted) answers NOT_FOUND: say so instead of the posts
      if (now?.threadId === open.threadId && codeOf(err) === 'NOT_FOUND') this.patchOpen({ error: 'NOT_FOUND' });
    }
  }

  private async deliver(threadId: string, p: PendingPost): Promise<void> {
    const body: Record<string, unknown> = { body: p.body, clientPostId: p.clientPostId };
    if (p.documents.length > 0) body.documentIds = p.documents.map((d) => d.id);
    try {
      await this.options.call<{ id: string; seq: number }>(`/api/threads/${enc(threadId)}/posts`, { method: 'POST', body });
      if (this.state.open?.threadId !== threadId) return;
      await this.fetchPosts();
      const open = this.state.open;
      if (open?.threadId === threadId) this.patchOpen({ pending: open.pending.filter((x) => x.clientPostId !== p.clientPostId) });
    } catch (err) {
      if (this.state.open?.threadId === threadId) this.patchPending(p.clientPostId, { ...p, state: 'failed', error: codeOf(err) });
    }
  }

  /** Posts the read marker for the newest shown post of the open, visible thread (each seq once). */
  private markRead(): void {
    const open = this.state.open;
    if (!open || !this.visible || open.error || !open.posts?.length) return;
    const seq = open.posts[open.posts.length - 1]!.seq;
    if (seq <= (this.readSent.get(open.threadId) ?? 0)) return;
    this.readSent.set(open.threadId, seq);
    this.patchThread(open.threadId, () => ({ unread: 0 }));
    this.options.call(`/api/threads/${enc(open.threadId)}/read`, { method: 'POST', body: { seq } }).catch(() => {
      // tried again with the next post or the next visit
      if (this.readSent.get(open.threadId) === seq) this.readSent.delete(open.threadId);
    });
  }

  private announce(kind: ThreadNews['kind'], threadId: string, subject: string | null): void {
    this.set({ news: [...this.state.news, { id: ++this.newsId, kind, threadId, subject }].slice(-MAX_NEWS) });
  }

  /** A listed thread that this session has read while the list was on its way shows no unread. */
  private withOwnRead(t: ThreadListItem): ThreadListItem {
    const open = this.state.open;
    const read = this.readSent.get(t.id);
    const newest = open?.threadId === t.id ? (open.posts?.[open.posts.length - 1]?.seq ?? 0) : 0;
    return read !== undefined && read >= newest && open?.threadId === t.id && this.visible ? { ...t, unread: 0 } : t;
  }

  private patchThread(threadId: string, patch: (t: ThreadListItem) => Partial<ThreadListItem>): void {
    const threads = this.state.threads;
    if (!threads?.some((t) => t.id === threadId)) return;
    this.set({ threads: threads.map((t) => (t.id === threadId ? { ...t, ...patch(t) } : t)) });
  }

  private patchPending(clientPostId: string, next: PendingPost): void {
    const open = this.state.open;
    if (open) this.patchOpen({ pending: open.pending.map((x) => (x.clientPostId === clientPostId ? next : x)) });
  }

  private patchOpen(patch: Partial<OpenThread>): void {
    const open = this.state.open;
    if (open) this.set({ open: { ...open, ...patch } });
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/** One threads session per login and socket, shared by the list and the thread page. */
let current: { token: string; socket: unknown; session: ThreadsSession } | null = null;

export function threadsSessionFor(token: string, socket: unknown, make: () => ThreadsSession): ThreadsSession {
  if (current?.token === token && current.socket === socket) return current.session;
  current?.session.destroy();
  current = { token, socket, session: make() };
  return current.session;
}

export function endThreadsSession(session: ThreadsSession): void {
  session.destroy();
  if (current?.session === session) current = null;
}
