import type {
  AccountView,
  Ack,
  ClientToServerEvents,
  MessageView,
  RoomCreatePayload,
  RoomListItem,
  RoomMemberView,
  ServerToClientEvents,
} from '../../../../src/realtime/contract';
import type { CommandPayload, CommandResult } from '../../lib/contract';
import { ChatCommands, ChatEvents, KeyValueStore, ReliableChat, RoomState } from '../../lib/reliable-chat';
import { Store } from '../../lib/store';

/** The events the rooms pages follow: the chat's, plus new rooms and read markers of other sessions. */
type RoomsListeners = ChatEvents &
  Pick<ServerToClientEvents, 'room.added' | 'room.read'> & {
    connect: () => void;
    disconnect: (reason: string) => void;
  };
/** The commands the rooms pages send: the chat's, plus creating, closing and reading rooms. */
type RoomsCommands = ChatCommands & Pick<ClientToServerEvents, 'room.create' | 'room.close' | 'room.read'>;

/** The part of a typed socket.io-client socket the rooms pages need (a typed pick of the contract). */
export interface RoomsSocket {
  readonly connected: boolean;
  on<E extends keyof RoomsListeners>(event: E, listener: RoomsListeners[E]): unknown;
  off<E extends keyof RoomsListeners>(event: E, listener: RoomsListeners[E]): unknown;
  emit<E extends keyof RoomsCommands>(event: E, ...args: Parameters<RoomsCommands[E]>): unknown;
}

/** An authenticated REST call (PortalSession.call); rejects with an error that carries `code`. */
export type RestCall = <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;

/** Something the live region says, as data (the page words it from the catalogue). */
export interface RoomNews {
  id: number;
  kind: 'message' | 'added' | 'closed' | 'deleted';
  roomId: string;
  name: string;
}

/** The room shown on the room page. */
export interface OpenRoom {
  roomId: string;
  /** The reliable chat's state of the room (messages, pending own messages, typing). */
  chat: RoomState | undefined;
  members: RoomMemberView[] | null;
  /** Why the room cannot be shown (NOT_FOUND: not the caller's, or gone). */
  error: string | null;
  /** The room was closed (readable) or deleted (gone) while it was open. */
  ended: 'closed' | 'deleted' | null;
}

export interface RoomsState {
  /** The caller's rooms, newest first; null while loading. */
  rooms: RoomList;
  listError: string | null;
  news: RoomNews[];
  open: OpenRoom | null;
  /** The socket is connected (messages go out at once). */
  online: boolean;
}
type RoomList = RoomListItem[] | null;

export interface RoomsSessionOptions {
  socket: RoomsSocket;
  call: RestCall;
  self: AccountView;
  /** Keeps unsent own messages over a reload (sessionStorage in the page). */
  store?: KeyValueStore;
  ackTimeoutMs?: number;
  newId?: () => string;
  /** The clock for the optimistic `closedAt` of a room closed while listed. */
  now?: () => Date;
}

const MAX_NEWS = 5;

/**
 * The rooms of one signed-in client or counselor, framework-free: the list with unread counts kept
 * live (room.added, message.created for rooms not open, room.closed, room.read of other sessions,
 * a reload after every reconnect), and for the open room a ReliableChat (resend with the same
 * clientMsgId, gaps filled from history) with read markers (room.read while the page is visible)
 * and typing. The pages stay thin views of `state`.
 */
export class RoomsSession extends Store<RoomsState> {
  state: RoomsState = { rooms: null, listError: null, news: [], open: null, online: false };
  private readonly chat: ReliableChat;
  private readonly detach: (() => void)[] = [];
  private visible = true;
  private newsId = 0;
  /** The highest seq this session has sent room.read for, per room. */
  private readonly readSent = new Map<string, number>();
  private loading: Promise<void> | null = null;
  private readonly ackTimers = new Set<ReturnType<typeof setTimeout>>();
  private destroyed = false;

  constructor(private readonly options: RoomsSessionOptions) {
    super();
    this.chat = new ReliableChat(options.socket, {
      selfId: options.self.id,
      store: options.store,
      storeKey: `lotse.portal.rooms.${options.self.id}`,
      ackTimeoutMs: options.ackTimeoutMs,
      newId: options.newId,
      onChange: () => this.chatChanged(),
      onClosed: (roomId, reason) => {
        // the server refused to rejoin (gone, or never the caller's)
        if (reason === 'gone') this.ended(roomId, 'deleted');
      },
    });
    this.listen('connect', () => {
      this.set({ online: true });
      void this.reload();
    });
    this.listen('disconnect', () => this.set({ online: false }));
    this.listen('message.created', (m) => this.received(m));
    this.listen('room.added', (p) => {
      this.announce('added', p.roomId, p.name);
      void this.reload();
    });
    this.listen('room.closed', (p) => this.ended(p.roomId, p.reason === 'closed' ? 'closed' : 'deleted'));
    this.listen('room.read', (p) => this.patchRoom(p.roomId, (r) => ({ lastReadSeq: Math.max(r.lastReadSeq, p.seq) })));
    this.state = { ...this.state, online: options.socket.connected };
    void this.reload();
  }

  /** Loads the list again from the server (the truth for unread counts and windows). */
  reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rooms = await this.options.call<RoomListItem[]>('/api/rooms');
        if (!this.destroyed) this.set({ rooms: rooms.map((r) => this.withOwnRead(r)), listError: null });
      } catch (err) {
        if (!this.destroyed) this.set({ listError: codeOf(err) });
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /** Shows a room: joins it through the reliable chat, loads its members, marks it read while visible. */
  async open(roomId: string): Promise<void> {
    this.set({ open: { roomId, chat: this.chat.room(roomId), members: null, error: null, ended: null } });
    try {
      const members = await this.options.call<RoomMemberView[]>(`/api/rooms/${encodeURIComponent(roomId)}/members`);
      if (this.state.open?.roomId !== roomId) return;
      this.chat.addRoom(roomId);
      this.patchOpen({ members, chat: this.chat.room(roomId) });
      this.markRead();
    } catch (err) {
      if (this.state.open?.roomId === roomId) this.patchOpen({ error: codeOf(err) });
    }
  }

  /** Leaves the room page (the room keeps being followed, so an unsent message still goes out). */
  leave(roomId: string): void {
    if (this.state.open?.roomId === roomId) this.set({ open: null });
  }

  /** The page is seen (document visibility): read markers move only while it is. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.markRead();
  }

  send(body: string): void {
    const open = this.state.open;
    if (!open || open.error || !body.trim()) return;
    this.chat.send(open.roomId, body);
  }

  retry(clientMsgId: string): void {
    this.chat.retry(clientMsgId);
  }

  typing(): void {
    const open = this.state.open;
    if (open && !open.error && !open.ended) this.chat.setTyping(open.roomId, true);
  }

  /** Counselors: the center's clients to choose members from. */
  clients(): Promise<AccountView[]> {
    return this.options.call<AccountView[]>('/api/accounts/clients');
  }

  /** Counselors: creates a 1:1 (one member) or group room; the new room arrives through room.added. */
  async create(payload: RoomCreatePayload): Promise<Ack<CommandResult<'room.create'>>> {
    return this.command('room.create', payload);
  }

  /** Counselors: closes a room for writing (its history stays readable). */
  async close(roomId: string): Promise<Ack<CommandResult<'room.close'>>> {
    return this.command('room.close', { roomId });
  }

  /** Counselors: deletes a room and its history for good; null when done, else the error code. */
  async remove(roomId: string): Promise<string | null> {
    try {
      await this.options.call(`/api/rooms/${encodeURIComponent(roomId)}`, { method: 'DELETE' });
      this.ended(roomId, 'deleted');
      return null;
    } catch (err) {
      return codeOf(err);
    }
  }

  /** Signed out: forgets the unsent messages kept in the tab too (shared computers). */
  forget(): void {
    this.chat.clear();
    this.destroy();
  }

  destroy(): void {
    this.destroyed = true;
    for (const off of this.detach) off();
    for (const timer of this.ackTimers) clearTimeout(timer);
    this.ackTimers.clear();
    this.chat.destroy();
  }

  // ---- internals -------------------------------------------------------------------------------

  private listen<E extends keyof RoomsListeners>(event: E, fn: RoomsListeners[E]): void {
    this.options.socket.on(event, fn);
    this.detach.push(() => this.options.socket.off(event, fn));
  }

  private command<E extends 'room.create' | 'room.close' | 'room.read'>(event: E, payload: CommandPayload<E>): Promise<Ack<CommandResult<E>>> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ackTimers.delete(timer);
        resolve({ ok: false, error: { code: 'INTERNAL', message: 'timeout' } });
      }, this.options.ackTimeoutMs ?? 10_000);
      this.ackTimers.add(timer);
      // A generic E cannot be spread into emit's tuple; the signature below is that tuple spelled out.
      const emit = this.options.socket.emit.bind(this.options.socket) as (e: E, p: CommandPayload<E>, ack: (a: Ack<CommandResult<E>>) => void) => unknown;
      emit(event, payload, (answer) => {
        clearTimeout(timer);
        this.ackTimers.delete(timer);
        resolve(answer);
      });
    });
  }

  private received(m: MessageView): void {
    const open = this.state.open;
    const known = this.state.rooms?.find((r) => r.id === m.roomId);
    this.patchRoom(m.roomId, (r) => ({ lastSeq: Math.max(r.lastSeq, m.seq) }));
    if (!known) return;
    const seen = open?.roomId === m.roomId && this.visible;
    if (!seen && m.sender.id !== this.options.self.id) this.announce('message', m.roomId, known.name);
  }

  private chatChanged(): void {
    const open = this.state.open;
    if (open) this.patchOpen({ chat: this.chat.room(open.roomId) });
    this.markRead();
  }

  /** Sends room.read for what the open, visible room shows (each seq once). */
  private markRead(): void {
    const open = this.state.open;
    if (!open || !this.visible || open.error) return;
    const room = this.chat.room(open.roomId);
    if (!room?.synced || room.lastSeq <= (this.readSent.get(open.roomId) ?? 0)) return;
    const seq = room.lastSeq;
    this.readSent.set(open.roomId, seq);
    this.patchRoom(open.roomId, (r) => ({ lastReadSeq: Math.max(r.lastReadSeq, seq), lastSeq: Math.max(r.lastSeq, seq) }));
    void this.command('room.read', { roomId: open.roomId, seq });
  }

  private ended(roomId: string, how: 'closed' | 'deleted'): void {
    const room = this.state.rooms?.find((r) => r.id === roomId);
    if (room && !(how === 'closed' && room.closedAt)) this.announce(how, roomId, room.name);
    if (how === 'deleted') {
      this.chat.removeRoom(roomId);
      this.readSent.delete(roomId);
      this.set({ rooms: this.state.rooms?.filter((r) => r.id !== roomId) ?? null });
    } else {
      this.patchRoom(roomId, (r) => ({ closedAt: r.closedAt ?? (this.options.now?.() ?? new Date()).toISOString() }));
    }
    if (this.state.open?.roomId === roomId) this.patchOpen({ ended: how });
  }

  private announce(kind: RoomNews['kind'], roomId: string, name: string): void {
    this.set({ news: [...this.state.news, { id: ++this.newsId, kind, roomId, name }].slice(-MAX_NEWS) });
  }

  /** A listed room with the read markers this session sent (the list may be older than they are). */
  private withOwnRead(r: RoomListItem): RoomListItem {
    const lastReadSeq = Math.max(r.lastReadSeq, this.readSent.get(r.id) ?? 0);
    return { ...r, lastReadSeq, unread: Math.max(0, r.lastSeq - lastReadSeq) };
  }

  private patchRoom(roomId: string, patch: (r: RoomListItem) => Partial<RoomListItem>): void {
    const rooms = this.state.rooms;
    if (!rooms?.some((r) => r.id === roomId)) return;
    this.set({
      rooms: rooms.map((r) => {
        if (r.id !== roomId) return r;
        const next = { ...r, ...patch(r) };
        return { ...next, unread: Math.max(0, next.lastSeq - next.lastReadSeq) };
      }),
    });
  }

  private patchOpen(patch: Partial<OpenRoom>): void {
    const open = this.state.open;
    if (open) this.set({ open: { ...open, ...patch } });
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/**
 * The rooms session of the signed-in person, shared by the rooms list and the room page (moving
 * between them keeps the chat and its unsent messages); a new one after a new login.
 */
let current: { token: string; socket: unknown; session: RoomsSession } | null = null;

export function roomsSessionFor(token: string, socket: unknown, make: () => RoomsSession): RoomsSession {
  if (current?.token === token && current.socket === socket) return current.session;
  current?.session.destroy();
  current = { token, socket, session: make() };
  return current.session;
}

/** The login of this rooms session ended (logout, another login): it forgets everything it kept. */
export function endRoomsSession(session: RoomsSession): void {
  session.forget();
  if (current?.session === session) current = null;
}
