import type { CenterPublicInfo, LiveStatus, TopicChatListItem, VisitorResult } from './types';
import { api, ApiError } from '../lib/api';
import { KeyValueStore, ReliableChat, RoomState } from '../lib/reliable-chat';
import { asChatSocket, command, connectSocket, LotseSocket } from '../lib/socket';
import { Store } from '../lib/store';

/** The center as the widget loads it (GET /api/centers/:center). */
export type CenterInfo = CenterPublicInfo;

/** Where quick exit goes when the center has not chosen a page. */
export const DEFAULT_QUICK_EXIT_URL = 'https://www.wikipedia.org/';

/** Seconds until a live connection that is not up counts as failed (shown with the crisis lines). */
export const CONNECT_TIMEOUT_MS = 6000;

/** How long quick exit waits for the server to confirm the leave before it goes anyway. */
export const QUICK_EXIT_WAIT_MS = 400;

export type Phase = 'loading' | 'closed' | 'full' | 'timeout' | 'blocked' | 'consent' | 'compose' | 'waiting' | 'chat' | 'ended' | 'error';

export interface WidgetState {
  phase: Phase;
  center: CenterInfo | null;
  topics: TopicChatListItem[];
  position: number | null;
  peer: string | null;
  room: RoomState | null;
  online: boolean;
  busy: boolean;
  selfId: string | null;
  /** Minutes the center expects this visitor to wait; null = it cannot be estimated (undefined: not known yet). */
  estimate: number | null | undefined;
  /** The counselor lost the connection (messages are kept and read on return). */
  paused: boolean;
  /** Another counselor took the chat over (the new name, shown as a notice). */
  handedOverTo: string | null;
  /** Why the chat ended (`room.closed.reason`), null when it ended here or never began. */
  endReason: string | null;
  /** The live connection is not up within CONNECT_TIMEOUT_MS (or was refused): said so, with the crisis lines. */
  connectProblem: boolean;
  /** The server lost the waiting line (a technical fault) and this visitor joined it again: said so while waiting. */
  lineLost: boolean;
}

/** What survives a reload of the tab (sessionStorage only; cleared by quick exit and at the end). */
interface Saved {
  token: string;
  visitorId: string;
  phase: 'waiting' | 'chat';
  roomId: string | null;
  peer: string | null;
  position: number | null;
}

/**
 * The visitor's side of a live chat, independent of the UI: consent → queue → chat → end.
 * Talks only to Lotse's own origin.
 */
export class WidgetSession extends Store<WidgetState> {
  state: WidgetState = {
    phase: 'loading',
    center: null,
    topics: [],
    position: null,
    peer: null,
    room: null,
    online: true,
    busy: false,
    selfId: null,
    estimate: undefined,
    paused: false,
    handedOverTo: null,
    endReason: null,
    connectProblem: false,
    lineLost: false,
  };
  private socket: LotseSocket | null = null;
  private chat: ReliableChat | null = null;
  private saved: Saved | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly connect: (token: string) => LotseSocket;
  private readonly connectTimeoutMs: number;

  constructor(
    private readonly slug: string,
    private readonly storage: KeyValueStore & { clear(): void },
    options: { connect?: (token: string) => LotseSocket; connectTimeoutMs?: number } = {},
  ) {
    super();
    this.connect = options.connect ?? connectSocket;
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  }

  private get key(): string {
    return `lotse.widget.${this.slug}`;
  }

  async init(): Promise<void> {
    const base = `/api/centers/${encodeURIComponent(this.slug)}`;
    try {
      const [center, live, topics] = await Promise.all([
        api<CenterInfo>(base),
        api<LiveStatus>(`${base}/live`),
        api<TopicChatListItem[]>(`${base}/topic-chats`).catch(() => [] as TopicChatListItem[]),
      ]);
      const upcoming = topics.filter((x) => x.status !== 'ended').sort((a, b) => a.startsAt.localeCompare(b.startsAt));
      this.set({ center, topics: upcoming });
      const raw = this.storage.getItem(this.key);
      if (raw) {
        this.saved = JSON.parse(raw) as Saved;
        this.resume();
        return;
      }
      this.set({ phase: live.open ? (live.full ? 'full' : 'consent') : 'closed' });
    } catch {
      this.set({ phase: 'error' });
    }
  }

  consent(): void {
    this.set({ phase: 'compose' });
  }

  /** Creates the anonymous identity and joins the queue with an optional first message. */
  async start(firstMessage: string): Promise<void> {
    this.set({ busy: true });
    try {
      const v = await api<VisitorResult>(`/api/centers/${encodeURIComponent(this.slug)}/visitors`, { method: 'POST', body: {} });
      this.saved = { token: v.token, visitorId: v.visitorId, phase: 'waiting', roomId: null, peer: null, position: null };
      this.save();
      this.openSocket(firstMessage.trim() || undefined);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      this.set({ busy: false, phase: code === 'RATE_LIMITED' ? 'full' : code === 'FORBIDDEN' ? 'blocked' : 'error' });
    }
  }

  send(body: string): void {
    const roomId = this.saved?.roomId;
    if (!this.chat || !roomId || !body.trim()) return;
    this.chat.send(roomId, body.trim());
    this.chat.setTyping(roomId, false);
  }

  retry(clientMsgId: string): void {
    this.chat?.retry(clientMsgId);
  }

  typing(on: boolean): void {
    const roomId = this.saved?.roomId;
    if (this.chat && roomId) this.chat.setTyping(roomId, on);
  }

  async leaveQueue(): Promise<void> {
    if (this.socket) await command(this.socket, 'queue.leave', {});
    this.finish('ended');
  }

  async endChat(): Promise<void> {
    const roomId = this.saved?.roomId;
    if (this.socket && roomId) await command(this.socket, 'live.end', { roomId });
    this.finish('ended', 'ended_by_visitor');
  }

  /** Back to the start (after an end or a refusal). */
  restart(): void {
    this.set({
      phase: 'loading',
      room: null,
      peer: null,
      position: null,
      estimate: undefined,
      paused: false,
      handedOverTo: null,
      endReason: null,
      lineLost: false,
    });
    void this.init();
  }

  /** Tries the live connection again at once (after a failure was shown). */
  reconnect(): void {
    if (!this.socket || this.socket.connected) return;
    this.socket.connect();
    this.watchConnection();
  }

  /**
   * Where quick exit leaves to: the center's page (an http(s) URL, or a path on this site, which the
   * caller resolves against its origin), or the default when it has none (or an odd one).
   */
  quickExitUrl(): string {
    const url = this.state.center?.quickExitUrl;
    return url && (/^\/(?![/\\])/.test(url) || /^https?:\/\//i.test(url)) ? url : DEFAULT_QUICK_EXIT_URL;
  }

  /**
   * Quick exit: tells the server that the person left (queue.leave ends a running chat as `left`),
   * waiting at most `waitMs` for its answer, then forgets everything in this tab.
   */
  async quickExit(waitMs = QUICK_EXIT_WAIT_MS): Promise<void> {
    const socket = this.socket;
    try {
      this.storage.clear();
    } catch {
      // storage may be blocked; nothing to clear then
    }
    if (socket?.connected && this.saved) await command(socket, 'queue.leave', {}, waitMs);
    this.forget();
  }

  /** Forgets everything in this tab and drops the connection, synchronously. */
  forget(): void {
    try {
      this.storage.clear();
    } catch {
      // storage may be blocked; nothing to clear then
    }
    this.chat?.clear();
    this.chat?.destroy();
    this.socket?.disconnect();
    this.chat = null;
    this.socket = null;
    this.saved = null;
    this.stopWatch();
  }

  // ---- internals -------------------------------------------------------------------------------

  private save(): void {
    if (this.saved) this.storage.setItem(this.key, JSON.stringify(this.saved));
  }

  private resume(): void {
    const s = this.saved!;
    if (s.phase === 'chat' && s.roomId) this.set({ phase: 'chat', peer: s.peer, selfId: s.visitorId });
    else this.set({ phase: 'waiting', position: s.position, selfId: s.visitorId });
    this.openSocket(undefined);
  }

  private openSocket(firstMessage: string | undefined): void {
    const s = this.saved!;
    const socket = this.connect(s.token);
    this.socket = socket;
    const chat = new ReliableChat(asChatSocket(socket), {
      selfId: s.visitorId,
      store: this.storage,
      storeKey: `${this.key}.chat`,
      onChange: () => {
        const roomId = this.saved?.roomId;
        if (roomId) this.set({ room: chat.room(roomId) ?? null });
      },
      onClosed: (_roomId, reason) => this.finish('ended', reason),
    });
    this.chat = chat;
    this.set({ selfId: s.visitorId });
    if (s.roomId) this.set({ room: chat.addRoom(s.roomId) });
    this.watchConnection();

    let first = firstMessage;
    // kept in this tab's memory while waiting (never stored): the server's copy goes with a lost line
    const original = firstMessage;
    // Joining again after a reconnect keeps the place (ALREADY_WAITING) or takes a new one.
    const join = () => {
      void command(socket, 'queue.join', first === undefined ? {} : { message: first }).then((ack) => {
        first = undefined;
        this.set({ busy: false });
        if (ack.ok) {
          if (this.saved?.phase === 'waiting' && ack.data.position > 0) this.position(ack.data.position);
          return;
        }
        const code = ack.error.code;
        if (code === 'ALREADY_WAITING') this.set({ phase: this.state.phase === 'chat' ? 'chat' : 'waiting' });
        else if (code === 'LIVE_CLOSED') this.finish('closed');
        else if (code === 'QUEUE_FULL') this.finish('full');
        else if (code === 'FORBIDDEN') this.finish('blocked');
        else this.finish('error');
      });
    };
    socket.on('connect', () => {
      this.stopWatch();
      this.set({ online: true, connectProblem: false });
      if (this.saved?.phase === 'waiting') join();
    });
    socket.on('disconnect', () => {
      this.set({ online: false });
      this.watchConnection();
    });
    socket.on('connect_error', (err) => {
      // A revoked token (blocked, expired): the chat cannot go on.
      if (err.message === 'UNAUTHORIZED') this.finish('ended');
      // Refused or unreachable: say so at once (the socket keeps trying in the background).
      else this.set({ connectProblem: true });
    });
    socket.on('queue.position', (p) => this.position(p.position, p.estimateMinutes));
    socket.on('queue.assigned', (p) => this.assigned(p.roomId, p.peer.displayName));
    socket.on('queue.closed', (p) => {
      // The server lost the waiting line (a technical fault): join again at once, and say why the place changed.
      if (p.reason === 'lost') {
        if (this.saved?.phase !== 'waiting') return;
        this.set({ lineLost: true, position: null, estimate: undefined });
        first = original;
        join();
        return;
      }
      this.finish(
        p.reason === 'shift_closed' ? 'closed' : p.reason === 'timeout' ? 'timeout' : p.reason === 'blocked' ? 'blocked' : 'ended',
        p.reason === 'removed' ? 'removed' : null,
      );
    });
    socket.on('live.paused', (p) => {
      if (p.roomId === this.saved?.roomId && p.who === 'counselor') this.set({ paused: true });
    });
    socket.on('live.resumed', (p) => {
      if (p.roomId === this.saved?.roomId && p.who === 'counselor') this.set({ paused: false });
    });
    socket.on('live.handedOver', (p) => {
      if (!this.saved || p.roomId !== this.saved.roomId) return;
      this.saved.peer = p.peer.displayName;
      this.save();
      this.set({ peer: p.peer.displayName, handedOverTo: p.peer.displayName, paused: false });
    });
  }

  /** Starts the timer that reports a connection not up within connectTimeoutMs. */
  private watchConnection(): void {
    this.stopWatch();
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      if (this.socket && !this.socket.connected) this.set({ connectProblem: true });
    }, this.connectTimeoutMs);
  }

  private stopWatch(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private position(position: number, estimate?: number | null): void {
    if (this.saved) {
      this.saved.position = position;
      this.save();
    }
    this.set({ phase: 'waiting', position, ...(estimate !== undefined ? { estimate } : {}) });
  }

  private assigned(roomId: string, peer: string): void {
    if (!this.saved || !this.chat) return;
    this.saved = { ...this.saved, phase: 'chat', roomId, peer };
    this.save();
    this.set({ phase: 'chat', peer, busy: false, room: this.chat.addRoom(roomId), lineLost: false });
  }

  /** The chat is over (or never began): forget the identity, keep the last view on screen. */
  private finish(phase: Phase, endReason: string | null = null): void {
    const room = this.state.room;
    this.forget();
    this.set({ phase, busy: false, online: true, room, position: null, paused: false, connectProblem: false, endReason, lineLost: false });
  }
}
