import type { AccountView, LoginResult, MessageView, QueueWaitingEntry, RoomRef, ShiftOpenResult, TopicChatListItem } from '../../../src/realtime/contract';
import { api, ApiError } from '../lib/api';
import { ReliableChat, RoomState } from '../lib/reliable-chat';
import { asChatSocket, command, connectSocket, LotseSocket } from '../lib/socket';
import { alertUser } from './notify';

/** One member of a room as GET /api/rooms/:id/members answers it. */
export interface RoomMemberItem {
  id: string;
  displayName: string;
  role: AccountView['role'];
  muted: boolean;
}

export interface ChatTab {
  roomId: string;
  title: string;
  kind: 'live' | 'topic';
  unread: number;
  closed: string | null;
  topicChatId?: string;
}

export interface ConsoleState {
  auth: { token: string; center: string; account: AccountView } | null;
  online: boolean;
  shift: { open: boolean; maxChats: number };
  waiting: number;
  queue: QueueWaitingEntry[];
  chats: ChatTab[];
  active: string | null;
  topics: TopicChatListItem[];
  sound: boolean;
  notify: boolean;
  error: string | null;
  busy: boolean;
}

interface Saved {
  token: string;
  center: string;
  account: AccountView;
  shift: { open: boolean; maxChats: number };
  chats: ChatTab[];
  active: string | null;
}

const KEY = 'lotse.console';
const PREFS = 'lotse.console.prefs';

/** The counselor's live console: login, shift, queue, live chats and today's topic chats. */
export class ConsoleSession {
  state: ConsoleState;
  private socket: LotseSocket | null = null;
  private chat: ReliableChat | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly session: Storage,
    private readonly local: Storage,
  ) {
    const prefs = JSON.parse(local.getItem(PREFS) ?? '{}') as { sound?: boolean; notify?: boolean };
    this.state = {
      auth: null,
      online: false,
      shift: { open: false, maxChats: 2 },
      waiting: 0,
      queue: [],
      chats: [],
      active: null,
      topics: [],
      sound: prefs.sound ?? true,
      notify: prefs.notify ?? false,
      error: null,
      busy: false,
    };
    const raw = session.getItem(KEY);
    if (raw) {
      const saved = JSON.parse(raw) as Saved;
      this.state = {
        ...this.state,
        auth: { token: saved.token, center: saved.center, account: saved.account },
        shift: saved.shift,
        chats: saved.chats,
        active: saved.active,
      };
      this.connect();
    }
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  room(roomId: string): RoomState | undefined {
    return this.chat?.room(roomId);
  }

  private set(patch: Partial<ConsoleState>): void {
    this.state = { ...this.state, ...patch };
    const a = this.state.auth;
    if (a) {
      const saved: Saved = {
        token: a.token,
        center: a.center,
        account: a.account,
        shift: this.state.shift,
        chats: this.state.chats,
        active: this.state.active,
      };
      this.session.setItem(KEY, JSON.stringify(saved));
    }
    for (const fn of this.listeners) fn();
  }

  async login(center: string, login: string, password: string): Promise<void> {
    this.set({ busy: true, error: null });
    try {
      const res = await api<LoginResult>('/api/auth/login', { method: 'POST', body: { center, login, password } });
      if (res.account.role === 'client' || res.account.role === 'visitor') throw new ApiError('FORBIDDEN', 'Nur für Mitarbeitende.', 403);
      this.set({ auth: { token: res.token, center, account: res.account }, busy: false });
      this.connect();
    } catch (err) {
      this.set({
        busy: false,
        error: err instanceof ApiError && err.status === 401 ? 'Anmeldung fehlgeschlagen.' : err instanceof Error ? err.message : 'Fehler',
      });
    }
  }

  async logout(): Promise<void> {
    const token = this.state.auth?.token;
    if (this.state.shift.open) await this.closeShift();
    if (token) await api('/api/auth/logout', { method: 'POST', token }).catch(() => undefined);
    this.chat?.destroy();
    this.socket?.disconnect();
    this.chat = null;
    this.socket = null;
    this.session.removeItem(KEY);
    this.set({ auth: null, chats: [], active: null, queue: [], waiting: 0, shift: { open: false, maxChats: this.state.shift.maxChats } });
  }

  async openShift(maxChats: number): Promise<void> {
    if (!this.socket) return;
    const ack = await command<ShiftOpenResult>(this.socket, 'shift.open', { maxChats });
    if (ack.ok || ack.error.code === 'CONFLICT') this.set({ shift: { open: true, maxChats }, error: null });
    else this.set({ error: ack.error.message });
  }

  async closeShift(): Promise<void> {
    if (!this.socket) return;
    const ack = await command(this.socket, 'shift.close', {});
    if (ack.ok || ack.error.code === 'NOT_FOUND') this.set({ shift: { ...this.state.shift, open: false }, queue: [], waiting: 0 });
    else this.set({ error: ack.error.message });
  }

  select(roomId: string): void {
    this.set({ active: roomId, chats: this.state.chats.map((c) => (c.roomId === roomId ? { ...c, unread: 0 } : c)) });
  }

  send(roomId: string, body: string): void {
    if (body.trim()) this.chat?.send(roomId, body.trim());
    this.chat?.setTyping(roomId, false);
  }

  typing(roomId: string, on: boolean): void {
    this.chat?.setTyping(roomId, on);
  }

  retry(clientMsgId: string): void {
    this.chat?.retry(clientMsgId);
  }

  async endChat(roomId: string, block: boolean): Promise<void> {
    if (!this.socket) return;
    const ack = await command(this.socket, 'live.end', block ? { roomId, block: true } : { roomId });
    if (!ack.ok && ack.error.code !== 'NOT_FOUND') return this.set({ error: ack.error.message });
    this.markClosed(roomId, block ? 'blocked' : 'ended');
  }

  /** Removes a finished chat's tab. */
  dismiss(roomId: string): void {
    this.chat?.removeRoom(roomId);
    const chats = this.state.chats.filter((c) => c.roomId !== roomId);
    this.set({ chats, active: this.state.active === roomId ? (chats[0]?.roomId ?? null) : this.state.active });
  }

  async loadTopics(): Promise<void> {
    const a = this.state.auth;
    if (!a) return;
    try {
      const all = await api<TopicChatListItem[]>(`/api/centers/${encodeURIComponent(a.center)}/topic-chats`, { token: a.token });
      const today = new Date().toDateString();
      this.set({ topics: all.filter((x) => new Date(x.startsAt).toDateString() === today || x.status === 'open') });
    } catch {
      this.set({ topics: [] });
    }
  }

  async joinTopic(topic: TopicChatListItem): Promise<void> {
    if (!this.socket || !this.state.auth) return;
    const ack = await command<RoomRef>(this.socket, 'topic.join', { topicChatId: topic.id, nickname: this.state.auth.account.displayName });
    if (!ack.ok) return this.set({ error: ack.error.message });
    this.addTab({ roomId: ack.data.roomId, title: topic.title, kind: 'topic', unread: 0, closed: null, topicChatId: topic.id });
    this.select(ack.data.roomId);
  }

  async moderate(roomId: string, participantId: string, action: 'topic.mute' | 'topic.remove', muted?: boolean): Promise<void> {
    if (!this.socket) return;
    const ack = await command(this.socket, action, muted === undefined ? { roomId, participantId } : { roomId, participantId, muted });
    if (!ack.ok) this.set({ error: ack.error.message });
  }

  /** Who is in a topic chat (staff only; removed participants are left out). */
  async members(roomId: string): Promise<RoomMemberItem[]> {
    const a = this.state.auth;
    if (!a) return [];
    return api<RoomMemberItem[]>(`/api/rooms/${encodeURIComponent(roomId)}/members`, { token: a.token });
  }

  setPrefs(p: { sound?: boolean; notify?: boolean }): void {
    if (p.notify && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
    this.set(p);
    this.local.setItem(PREFS, JSON.stringify({ sound: this.state.sound, notify: this.state.notify }));
  }

  // ---- internals -------------------------------------------------------------------------------

  private connect(): void {
    const a = this.state.auth!;
    const socket = connectSocket(a.token);
    this.socket = socket;
    const chat = new ReliableChat(asChatSocket(socket), {
      selfId: a.account.id,
      onChange: () => this.set({}),
      onIncoming: (m) => this.incoming(m),
      onClosed: (roomId, reason) => this.markClosed(roomId, reason),
    });
    this.chat = chat;
    for (const c of this.state.chats) if (!c.closed) chat.addRoom(c.roomId);

    socket.on('connect', () => {
      this.set({ online: true });
      // The shift outlives a reload within the grace period; opening it again is harmless.
      if (this.state.shift.open) void this.openShift(this.state.shift.maxChats);
      void this.loadTopics();
    });
    socket.on('disconnect', () => this.set({ online: false }));
    socket.on('connect_error', (err) => {
      if (err.message === 'UNAUTHORIZED') {
        this.session.removeItem(KEY);
        socket.disconnect();
        this.set({ auth: null, error: 'Sitzung abgelaufen. Bitte neu anmelden.' });
      }
    });
    socket.on('queue.updated', (p) => this.set({ waiting: p.waiting, queue: p.entries ?? this.state.queue.slice(0, p.waiting) }));
    socket.on('queue.assigned', (p) => {
      this.addTab({ roomId: p.roomId, title: p.peer.displayName, kind: 'live', unread: 0, closed: null });
      if (!this.state.active) this.select(p.roomId);
      this.alert(`Neuer Chat mit ${p.peer.displayName}`);
    });
    socket.on('shift.closed', () => this.set({ shift: { ...this.state.shift, open: false } }));
  }

  private addTab(tab: ChatTab): void {
    this.chat?.addRoom(tab.roomId);
    if (this.state.chats.some((c) => c.roomId === tab.roomId)) return;
    this.set({ chats: [...this.state.chats, tab] });
  }

  private incoming(m: MessageView): void {
    const visible = this.state.active === m.roomId && document.visibilityState === 'visible';
    if (!visible) this.set({ chats: this.state.chats.map((c) => (c.roomId === m.roomId ? { ...c, unread: c.unread + 1 } : c)) });
    if (!visible || document.hidden) this.alert(`Neue Nachricht von ${m.sender.displayName}`);
  }

  private markClosed(roomId: string, reason: string): void {
    this.set({ chats: this.state.chats.map((c) => (c.roomId === roomId ? { ...c, closed: reason } : c)) });
  }

  private alert(text: string): void {
    alertUser(text, { sound: this.state.sound, notify: this.state.notify });
  }
}
