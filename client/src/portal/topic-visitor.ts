import type { ErrorBody, TopicChatListItem, VisitorResult } from '../../../src/realtime/contract';
import { LIMITS } from '../../../src/realtime/contract';
import { api, ApiError } from '../lib/api';
import type { KeyValueStore } from '../lib/reliable-chat';
import { command, connectSocket, LotseSocket } from '../lib/socket';
import { Store } from '../lib/store';

/**
 * Why joining a topic chat did not work, as the page says it (one sentence each in the center
 * area of the catalogue). The server answers `topic.join` with VALIDATION_FAILED for every
 * nickname problem; its message tells them apart (docs/portal/center.md).
 */
export type JoinRefusal =
  'taken' | 'staff' | 'length' | 'invisible' | 'letters' | 'invalid' | 'full' | 'notOpen' | 'removed' | 'missing' | 'RATE_LIMITED' | 'NETWORK' | 'INTERNAL';

/** Refusals that concern the nickname field (shown next to it, aria-invalid). */
export const NICKNAME_REFUSALS: readonly JoinRefusal[] = ['taken', 'staff', 'length', 'invisible', 'letters', 'invalid'];

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

/** What the page can tell before asking the server (the server checks again, and more). */
export function nicknameProblem(nickname: string): JoinRefusal | null {
  const n = [...nickname.trim()].length;
  if (n < 2 || n > LIMITS.nicknameMax) return 'length';
  if (INVISIBLE.test(nickname.trim())) return 'invisible';
  return null;
}

/** The server's answer to `topic.join` as a refusal. */
export function refusalOf(error: ErrorBody): JoinRefusal {
  switch (error.code) {
    case 'TOPIC_FULL':
      return 'full';
    case 'TOPIC_NOT_OPEN':
      return 'notOpen';
    case 'NOT_FOUND':
      return 'missing';
    case 'FORBIDDEN':
      return 'removed';
    case 'CONFLICT':
      return 'taken';
    case 'RATE_LIMITED':
      return 'RATE_LIMITED';
    case 'VALIDATION_FAILED': {
      const m = error.message;
      // (staff first: "mistaken for the center staff" contains "taken")
      if (/\bstaff\b/i.test(m)) return 'staff';
      if (/\btaken\b/i.test(m)) return 'taken';
      if (/invisible|control/i.test(m)) return 'invisible';
      if (/letters or digits/i.test(m)) return 'letters';
      if (/characters|longer|shorter/i.test(m)) return 'length';
      return 'invalid';
    }
    default:
      return 'INTERNAL';
  }
}

export type TopicPhase = 'loading' | 'form' | 'joining' | 'chat' | 'left';

export interface TopicVisitorState {
  phase: TopicPhase;
  /** undefined: loading; null: no such (visible) topic chat. */
  topic: TopicChatListItem | null | undefined;
  refusal: JoinRefusal | null;
  roomId: string | null;
  nickname: string | null;
  selfId: string | null;
}

interface SavedVisitor {
  token: string;
  visitorId: string;
}
interface SavedJoin {
  /** null after leaving: the nickname is remembered for joining again from this tab. */
  roomId: string | null;
  nickname: string;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * An anonymous visitor in one topic chat (framework-free; the page renders it): an anonymous
 * visitor token from `POST /api/centers/:center/visitors` (not the portal's session, which is for
 * registered people), `topic.join` with a nickname over the socket, and the join kept in this
 * tab's sessionStorage so a reload rejoins. Nothing in localStorage or cookies.
 */
export class TopicVisitor extends Store<TopicVisitorState> {
  state: TopicVisitorState = { phase: 'loading', topic: undefined, refusal: null, roomId: null, nickname: null, selfId: null };
  private socketRef: LotseSocket | null = null;

  constructor(
    private readonly center: string,
    private readonly topicId: string,
    private readonly storage: KeyValueStore,
    private readonly connect: (token: string) => LotseSocket = connectSocket,
  ) {
    super();
  }

  get socket(): LotseSocket | null {
    return this.socketRef;
  }

  /** Where ReliableChat keeps this chat's pending messages. */
  get chatKey(): string {
    return `lotse.topicchat.${this.center}.${this.topicId}`;
  }

  private get visitorKey(): string {
    return `lotse.visitor.${this.center}`;
  }

  private get joinKey(): string {
    return `lotse.topic.${this.center}.${this.topicId}`;
  }

  /** Loads the topic chat; a join saved in this tab is taken up again (a reload). */
  async load(): Promise<void> {
    let topic: TopicChatListItem | null;
    try {
      const list = await api<TopicChatListItem[]>(`/api/centers/${encodeURIComponent(this.center)}/topic-chats`);
      topic = list.find((x) => x.id === this.topicId) ?? null;
    } catch (err) {
      this.set({ topic: null, phase: 'form', refusal: err instanceof ApiError && err.code === 'NETWORK' ? 'NETWORK' : 'missing' });
      return;
    }
    this.set({ topic });
    const saved = this.read<SavedJoin>(this.joinKey);
    if (saved?.roomId && topic) {
      this.set({ phase: 'joining', nickname: saved.nickname });
      await this.join(saved.nickname);
      return;
    }
    // after leaving: the server knows this visitor under the first nickname, the form offers it again
    this.set({ phase: 'form', nickname: saved?.nickname ?? null });
  }

  /** Reads the topic chat again (a scheduled one that starts while the page is open gets its form). */
  async refresh(): Promise<void> {
    try {
      const list = await api<TopicChatListItem[]>(`/api/centers/${encodeURIComponent(this.center)}/topic-chats`);
      this.set({ topic: list.find((x) => x.id === this.topicId) ?? null });
    } catch {
      // keep what is shown; the next read may work
    }
  }

  /** Joins with the nickname; a refusal is set in the state (the form stays). */
  async join(nickname: string): Promise<boolean> {
    const problem = nicknameProblem(nickname);
    if (problem) {
      this.set({ phase: 'form', refusal: problem });
      return false;
    }
    this.set({ phase: 'joining', refusal: null });
    try {
      const socket = await this.ensureSocket();
      const ack = await command(socket, 'topic.join', { topicChatId: this.topicId, nickname: nickname.trim() });
      if (!ack.ok) {
        this.storage.removeItem(this.joinKey);
        this.set({ phase: 'form', refusal: refusalOf(ack.error) });
        return false;
      }
      const join: SavedJoin = { roomId: ack.data.roomId, nickname: nickname.trim() };
      this.storage.setItem(this.joinKey, JSON.stringify(join));
      this.set({ phase: 'chat', roomId: join.roomId, nickname: join.nickname, refusal: null });
      return true;
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'INTERNAL';
      this.set({ phase: 'form', refusal: code === 'RATE_LIMITED' || code === 'NETWORK' ? code : 'INTERNAL' });
      return false;
    }
  }

  /**
   * Leaves: the socket goes and the chat's messages are forgotten in this tab. The anonymous
   * identity and the nickname stay for the tab (the server has no topic.leave: the seat is this
   * visitor's until the end, and joining again takes it back under the same nickname).
   */
  leave(): void {
    const nickname = this.state.nickname;
    this.forgetJoin();
    if (nickname) this.storage.setItem(this.joinKey, JSON.stringify({ roomId: null, nickname } satisfies SavedJoin));
    this.drop();
    this.set({ phase: 'left', roomId: null });
  }

  /** Back to the form after leaving (the remembered nickname filled in). */
  showForm(): void {
    this.set({ phase: 'form', refusal: null });
  }

  /** The chat ended (or this person was removed): nothing of it is kept in the tab. */
  forgetJoin(): void {
    this.storage.removeItem(this.joinKey);
    this.storage.removeItem(this.chatKey);
  }

  destroy(): void {
    this.drop();
  }

  private drop(): void {
    this.socketRef?.removeAllListeners();
    this.socketRef?.disconnect();
    this.socketRef = null;
  }

  /** A connected socket with a visitor token; an expired token is replaced once. */
  private async ensureSocket(): Promise<LotseSocket> {
    if (this.socketRef?.connected) return this.socketRef;
    this.drop();
    for (let attempt = 0; ; attempt++) {
      const visitor = await this.visitor();
      this.set({ selfId: visitor.visitorId });
      const socket = this.connect(visitor.token);
      const result = await connected(socket);
      if (result === 'ok') {
        this.socketRef = socket;
        return socket;
      }
      socket.removeAllListeners();
      socket.disconnect();
      if (result === 'UNAUTHORIZED' && attempt === 0) {
        this.storage.removeItem(this.visitorKey);
        continue;
      }
      throw new ApiError('NETWORK', 'no connection', 0);
    }
  }

  private async visitor(): Promise<SavedVisitor> {
    const saved = this.read<SavedVisitor>(this.visitorKey);
    if (saved?.token && saved.visitorId) return saved;
    const v = await api<VisitorResult>(`/api/centers/${encodeURIComponent(this.center)}/visitors`, { method: 'POST', body: {} });
    const fresh = { token: v.token, visitorId: v.visitorId };
    this.storage.setItem(this.visitorKey, JSON.stringify(fresh));
    return fresh;
  }

  private read<T>(key: string): T | null {
    try {
      return JSON.parse(this.storage.getItem(key) ?? 'null') as T | null;
    } catch {
      return null;
    }
  }
}

/** Resolves when the socket is connected, refused (UNAUTHORIZED) or did not connect in time. */
function connected(socket: LotseSocket): Promise<'ok' | 'UNAUTHORIZED' | 'failed'> {
  if (socket.connected) return Promise.resolve('ok');
  return new Promise((resolve) => {
    const timer = setTimeout(() => done('failed'), CONNECT_TIMEOUT_MS);
    const onConnect = () => done('ok');
    const onError = (err: Error) => {
      if (err.message === 'UNAUTHORIZED') done('UNAUTHORIZED');
    };
    function done(result: 'ok' | 'UNAUTHORIZED' | 'failed') {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      resolve(result);
    }
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}
