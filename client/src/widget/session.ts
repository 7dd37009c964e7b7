import type { LiveStatus, OpeningHoursEntryView, QueueJoinResult, TopicChatListItem, VisitorResult } from './types';
import { api, ApiError } from '../lib/api';
import { ReliableChat, RoomState } from '../lib/reliable-chat';
import { asChatSocket, command, connectSocket, LotseSocket } from '../lib/socket';

export interface CenterInfo {
  slug: string;
  name: string;
  privacyText: string | null;
  /** The center's crisis lines; null = the default text of the widget. */
  emergencyText: string | null;
  openingHours: OpeningHoursEntryView[];
  timeZone: string;
}

export type Phase = 'loading' | 'closed' | 'full' | 'timeout' | 'consent' | 'compose' | 'waiting' | 'chat' | 'ended' | 'error';

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
export class WidgetSession {
  state: WidgetState = { phase: 'loading', center: null, topics: [], position: null, peer: null, room: null, online: true, busy: false, selfId: null };
  private socket: LotseSocket | null = null;
  private chat: ReliableChat | null = null;
  private saved: Saved | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly slug: string,
    private readonly storage: Storage,
  ) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<WidgetState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
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
      this.set({ busy: false, phase: err instanceof ApiError && err.code === 'RATE_LIMITED' ? 'full' : 'error' });
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
    this.finish('ended');
  }

  /** Back to the start (after an end or a refusal). */
  restart(): void {
    this.set({ phase: 'loading', room: null, peer: null, position: null });
    void this.init();
  }

  /** Quick exit: forget everything in this tab and drop the connection, synchronously. */
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
    const socket = connectSocket(s.token);
    this.socket = socket;
    const chat = new ReliableChat(asChatSocket(socket), {
      selfId: s.visitorId,
      store: this.storage,
      storeKey: `${this.key}.chat`,
      onChange: () => {
        const roomId = this.saved?.roomId;
        if (roomId) this.set({ room: chat.room(roomId) ?? null });
      },
      onClosed: () => this.finish('ended'),
    });
    this.chat = chat;
    this.set({ selfId: s.visitorId });
    if (s.roomId) this.set({ room: chat.addRoom(s.roomId) });

    let first = firstMessage;
    socket.on('connect', () => {
      this.set({ online: true });
      if (this.saved?.phase !== 'waiting') return;
      // Joining again after a reconnect keeps the place (ALREADY_WAITING) or takes a new one.
      void command<QueueJoinResult>(socket, 'queue.join', first === undefined ? {} : { message: first }).then((ack) => {
        first = undefined;
        this.set({ busy: false });
        if (ack.ok) {
          if (this.saved?.phase === 'waiting') this.position(ack.data.position);
          return;
        }
        const code = ack.error.code;
        if (code === 'ALREADY_WAITING') this.set({ phase: this.state.phase === 'chat' ? 'chat' : 'waiting' });
        else if (code === 'LIVE_CLOSED') this.finish('closed');
        else if (code === 'QUEUE_FULL') this.finish('full');
        else this.finish('error');
      });
    });
    socket.on('disconnect', () => this.set({ online: false }));
    socket.on('connect_error', (err) => {
      if (err.message === 'UNAUTHORIZED') this.finish('ended');
    });
    socket.on('queue.position', (p) => this.position(p.position));
    socket.on('queue.assigned', (p) => this.assigned(p.roomId, p.peer.displayName));
    socket.on('queue.closed', (p) => this.finish(p.reason === 'shift_closed' ? 'closed' : p.reason === 'timeout' ? 'timeout' : 'ended'));
  }

  private position(position: number): void {
    if (this.saved) {
      this.saved.position = position;
      this.save();
    }
    this.set({ phase: 'waiting', position });
  }

  private assigned(roomId: string, peer: string): void {
    if (!this.saved || !this.chat) return;
    this.saved = { ...this.saved, phase: 'chat', roomId, peer };
    this.save();
    this.set({ phase: 'chat', peer, busy: false, room: this.chat.addRoom(roomId) });
  }

  /** The chat is over (or never began): forget the identity, keep the last view on screen. */
  private finish(phase: Phase): void {
    const room = this.state.room;
    this.forget();
    this.set({ phase, busy: false, online: true, room, position: null });
  }
}
