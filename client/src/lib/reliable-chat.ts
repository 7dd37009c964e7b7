import type { Ack, ClientToServerEvents, MessageView, ServerToClientEvents } from '../../../src/realtime/contract';
import type { CommandPayload, CommandResult } from './contract';

/**
 * Framework-free reliable messaging on top of a socket.io-client socket (used by the widget, the
 * console and the unit tests). Guarantees towards the UI:
 * - every message is shown once, in `seq` order (deduped by `seq`);
 * - a message the user sent stays in `pending` until the server acked it; after a reconnect it is
 *   resent with the SAME `clientMsgId`, so the server stores it at most once;
 * - after every (re)connect each room is rejoined and the gap is filled with `room.history { afterSeq }`.
 * The socket layer itself is at-most-once; the server's history is the truth.
 */

/** The commands this helper sends: a typed pick of the contract's client→server events. */
export type ChatCommands = Pick<ClientToServerEvents, 'room.join' | 'room.history' | 'message.send' | 'room.typing'>;
/** The events this helper follows: a typed pick of the contract's server→client events. */
export type ChatEvents = Pick<ServerToClientEvents, 'message.created' | 'room.typing' | 'room.closed'>;
/** Events socket.io-client itself emits on a socket. */
interface ConnectionEvents {
  connect: () => void;
  disconnect: (reason: string) => void;
}
type ChatListeners = ChatEvents & ConnectionEvents;

/** The part of a typed socket.io-client socket this helper needs (see `asChatSocket`). */
export interface ChatSocket {
  readonly connected: boolean;
  on<E extends keyof ChatListeners>(event: E, listener: ChatListeners[E]): unknown;
  off<E extends keyof ChatListeners>(event: E, listener: ChatListeners[E]): unknown;
  emit<E extends keyof ChatCommands>(event: E, ...args: Parameters<ChatCommands[E]>): unknown;
}

/**
 * A message as the room shows it: the server's view, or (until the server's own view arrives)
 * the placeholder built from the ack of an own send, marked by `placeholder`.
 */
export interface ChatMessage extends MessageView {
  placeholder?: true;
}

/** The subset of the Web Storage API used for persistence (sessionStorage in the widget). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type PendingState = 'sending' | 'failed';

export interface PendingMessage {
  roomId: string;
  clientMsgId: string;
  body: string;
  state: PendingState;
  createdAt: string;
  /** Error code of the last failed attempt, when the server refused it. */
  error?: string;
}

export interface RoomState {
  roomId: string;
  messages: ChatMessage[];
  pending: PendingMessage[];
  lastSeq: number;
  /** Other members currently typing (display names). */
  typing: string[];
  closed: string | null;
  synced: boolean;
}

export interface ReliableChatOptions {
  /** Who "I" am, to tell own messages apart (account or visitor id). */
  selfId: string;
  /** Persist pending messages and lastSeq here (the widget passes sessionStorage). */
  store?: KeyValueStore;
  storeKey?: string;
  /** A send without ack in this time is shown as failed (it is still resent on reconnect). */
  ackTimeoutMs?: number;
  /** Clears a typing indicator nobody switched off. */
  typingTimeoutMs?: number;
  newId?: () => string;
  onChange?: () => void;
  /** A message from someone else arrived (not from history replay of known messages). */
  onIncoming?: (message: MessageView) => void;
  onClosed?: (roomId: string, reason: string) => void;
}

interface Persisted {
  rooms: { roomId: string; lastSeq: number; pending: PendingMessage[] }[];
}

const HISTORY_PAGE = 200;
/** After a refused or unanswered join/history while connected, the next try. */
const RESYNC_RETRY_MS = 1000;

export class ReliableChat {
  private readonly rooms = new Map<string, RoomState>();
  private readonly inFlight = new Set<string>();
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly ackTimers = new Set<ReturnType<typeof setTimeout>>();
  /** Messages the server asked to wait for (RATE_LIMITED with retryAfterMs), by clientMsgId. */
  private readonly waitTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Rooms whose join or gap fill failed while connected, waiting for the next try. */
  private readonly resyncTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Detaches each listener this helper added. */
  private readonly listeners: (() => void)[] = [];
  private readonly ackTimeoutMs: number;
  private destroyed = false;

  constructor(
    private readonly socket: ChatSocket,
    private readonly options: ReliableChatOptions,
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.restore();
    this.listen('connect', () => this.resyncAll());
    this.listen('disconnect', () => {
      for (const room of this.rooms.values()) room.synced = false;
      this.inFlight.clear();
      this.changed();
    });
    this.listen('message.created', (m) => this.receive(m, true));
    this.listen('room.typing', (p) => this.typing(p.roomId, p.sender, p.typing));
    this.listen('room.closed', (p) => this.markClosed(p.roomId, p.reason));
    if (socket.connected) this.resyncAll();
  }

  /** Starts following a room (joins it at once when connected, and after every reconnect). */
  addRoom(roomId: string): RoomState {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { roomId, messages: [], pending: [], lastSeq: 0, typing: [], closed: null, synced: false };
      this.rooms.set(roomId, room);
      this.persist();
      if (this.socket.connected) void this.resync(room);
    }
    return room;
  }

  removeRoom(roomId: string): void {
    this.rooms.delete(roomId);
    this.persist();
    this.changed();
  }

  room(roomId: string): RoomState | undefined {
    return this.rooms.get(roomId);
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  /** Queues a message and sends it; returns its clientMsgId. */
  send(roomId: string, body: string): string {
    const room = this.addRoom(roomId);
    const clientMsgId = this.options.newId ? this.options.newId() : crypto.randomUUID();
    room.pending.push({ roomId, clientMsgId, body, state: 'sending', createdAt: new Date().toISOString() });
    this.persist();
    this.changed();
    if (room.synced) void this.transmit(room, clientMsgId);
    return clientMsgId;
  }

  /** Sends a failed message again, with its original clientMsgId. */
  retry(clientMsgId: string): void {
    for (const room of this.rooms.values()) {
      const p = room.pending.find((x) => x.clientMsgId === clientMsgId);
      if (!p) continue;
      p.state = 'sending';
      delete p.error;
      this.changed();
      if (room.synced) void this.transmit(room, clientMsgId);
    }
  }

  /** Gives up on a failed message. */
  discard(clientMsgId: string): void {
    for (const room of this.rooms.values()) room.pending = room.pending.filter((p) => p.clientMsgId !== clientMsgId);
    this.persist();
    this.changed();
  }

  /**
   * Fetches what the server holds after the room's gap-free prefix, without waiting for a reconnect
   * (a push that never came: the node that stored the message died before it broadcast it).
   */
  async refill(roomId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    if (room?.synced && this.socket.connected) await this.fillGap(room);
  }

  setTyping(roomId: string, typing: boolean): void {
    if (this.socket.connected) this.socket.emit('room.typing', { roomId, typing }, () => undefined);
  }

  /** Forgets everything (quick exit, logout). */
  clear(): void {
    this.rooms.clear();
    if (this.options.store) this.options.store.removeItem(this.key());
    this.changed();
  }

  destroy(): void {
    this.destroyed = true;
    for (const detach of this.listeners) detach();
    for (const t of [...this.typingTimers.values(), ...this.ackTimers, ...this.waitTimers.values(), ...this.resyncTimers.values()]) clearTimeout(t);
    this.resyncTimers.clear();
    this.typingTimers.clear();
    this.ackTimers.clear();
    this.waitTimers.clear();
  }

  // ---- internals -------------------------------------------------------------------------------

  private listen<E extends keyof ChatListeners>(event: E, fn: ChatListeners[E]): void {
    this.listeners.push(() => this.socket.off(event, fn));
    this.socket.on(event, fn);
  }

  private changed(): void {
    if (!this.destroyed) this.options.onChange?.();
  }

  private key(): string {
    return this.options.storeKey ?? 'lotse.chat';
  }

  private restore(): void {
    const raw = this.options.store?.getItem(this.key());
    if (!raw) return;
    try {
      const saved = JSON.parse(raw) as Persisted;
      for (const r of saved.rooms) {
        // Messages are not persisted; the history is fetched again from the server (the truth).
        this.rooms.set(r.roomId, {
          roomId: r.roomId,
          messages: [],
          pending: r.pending.map((p) => ({ ...p, state: 'sending' as const })),
          lastSeq: 0,
          typing: [],
          closed: null,
          synced: false,
        });
      }
    } catch {
      this.options.store?.removeItem(this.key());
    }
  }

  private persist(): void {
    if (!this.options.store) return;
    const data: Persisted = { rooms: [...this.rooms.values()].map((r) => ({ roomId: r.roomId, lastSeq: r.lastSeq, pending: r.pending })) };
    this.options.store.setItem(this.key(), JSON.stringify(data));
  }

  private call<E extends keyof ChatCommands>(event: E, payload: CommandPayload<E>): Promise<Ack<CommandResult<E>>> {
    return new Promise((resolve) => {
      let done = false;
      const timer = setTimeout(() => {
        this.ackTimers.delete(timer);
        if (done) return;
        done = true;
        resolve({ ok: false, error: { code: 'INTERNAL', message: 'timeout' } });
      }, this.ackTimeoutMs);
      this.ackTimers.add(timer);
      // A generic E cannot be spread into emit's tuple; the signature below is that tuple spelled out.
      const emit = this.socket.emit.bind(this.socket) as (e: E, p: CommandPayload<E>, ack: (a: Ack<CommandResult<E>>) => void) => unknown;
      emit(event, payload, (answer) => {
        clearTimeout(timer);
        this.ackTimers.delete(timer);
        if (done) return;
        done = true;
        resolve(answer);
      });
    });
  }

  private resyncAll(): void {
    for (const room of this.rooms.values()) void this.resync(room);
  }

  private async resync(room: RoomState): Promise<void> {
    const joined = await this.call('room.join', { roomId: room.roomId });
    if (this.rooms.get(room.roomId) !== room) return;
    if (!joined.ok) {
      if (joined.error.code === 'NOT_FOUND' || joined.error.code === 'FORBIDDEN') this.markClosed(room.roomId, 'gone');
      else this.resyncLater(room);
      return;
    }
    if (!(await this.fillGap(room))) return this.resyncLater(room);
    if (!this.socket.connected) return;
    room.synced = true;
    this.changed();
    for (const p of [...room.pending]) void this.transmit(room, p.clientMsgId);
  }

  /**
   * A join or history page refused or unanswered while the socket stays connected (the database
   * was away for a moment, a timeout): try again shortly, or the room would stay unsynced, its
   * pending messages unsent, until the next reconnect.
   */
  private resyncLater(room: RoomState): void {
    if (this.destroyed || this.resyncTimers.has(room.roomId)) return;
    const timer = setTimeout(() => {
      this.resyncTimers.delete(room.roomId);
      if (!this.destroyed && this.socket.connected && this.rooms.get(room.roomId) === room && !room.synced) void this.resync(room);
    }, RESYNC_RETRY_MS);
    this.resyncTimers.set(room.roomId, timer);
  }

  /** Fills the gap page by page: everything after the last gap-free seq we have. False when a page was refused. */
  private async fillGap(room: RoomState): Promise<boolean> {
    for (;;) {
      const page = await this.call('room.history', { roomId: room.roomId, afterSeq: room.lastSeq, limit: HISTORY_PAGE });
      if (!page.ok) return false;
      for (const m of page.data.messages) this.receive(m, false);
      if (page.data.messages.length < HISTORY_PAGE) return true;
    }
  }

  private async transmit(room: RoomState, clientMsgId: string): Promise<void> {
    const p = room.pending.find((x) => x.clientMsgId === clientMsgId);
    // while the server's retryAfterMs runs, the message waits (its timer sends it)
    if (!p || this.inFlight.has(clientMsgId) || this.waitTimers.has(clientMsgId)) return;
    this.inFlight.add(clientMsgId);
    const answer = await this.call('message.send', { roomId: room.roomId, clientMsgId, body: p.body });
    this.inFlight.delete(clientMsgId);
    if (answer.ok) {
      this.receive(
        {
          roomId: room.roomId,
          id: answer.data.id,
          seq: answer.data.seq,
          clientMsgId,
          sender: { id: this.options.selfId, displayName: '', role: 'visitor' },
          body: p.body,
          sentAt: answer.data.sentAt,
          placeholder: true,
        },
        false,
      );
      return;
    }
    const still = room.pending.find((x) => x.clientMsgId === clientMsgId);
    if (!still) return;
    // Lost connection: it stays "sending" and goes out again after the reconnect.
    if (!this.socket.connected) return;
    // Asked to wait: it stays "sending" and goes out again, with the same id, once the time is up.
    const wait = answer.error.code === 'RATE_LIMITED' ? answer.error.retryAfterMs : undefined;
    if (typeof wait === 'number' && wait >= 0 && !this.destroyed) {
      still.error = answer.error.code;
      this.changed();
      const timer = setTimeout(() => {
        this.waitTimers.delete(clientMsgId);
        const current = this.rooms.get(room.roomId);
        if (current?.synced) void this.transmit(current, clientMsgId);
      }, wait);
      this.waitTimers.set(clientMsgId, timer);
      return;
    }
    still.state = 'failed';
    still.error = answer.error.code;
    this.persist();
    this.changed();
  }

  private receive(m: ChatMessage, live: boolean): void {
    const room = this.rooms.get(m.roomId);
    if (!room) return;
    const before = room.pending.length;
    room.pending = room.pending.filter((p) => !(p.clientMsgId === m.clientMsgId && m.sender.id === this.options.selfId));
    const known = room.messages.findIndex((x) => x.seq === m.seq);
    let isNew = false;
    if (known === -1) {
      // Insert in seq order (usually at the end).
      let i = room.messages.length;
      while (i > 0 && room.messages[i - 1]!.seq > m.seq) i--;
      room.messages.splice(i, 0, m);
      isNew = true;
    } else if (room.messages[known]!.placeholder && !m.placeholder) {
      // Our own ack-built placeholder: keep the server's full view.
      room.messages[known] = m;
    }
    // lastSeq only advances over a gap-free prefix, so a gap is refetched after a reconnect.
    while (room.messages.some((x) => x.seq === room.lastSeq + 1)) room.lastSeq++;
    if (isNew && m.sender.id !== this.options.selfId) {
      room.typing = room.typing.filter((n) => n !== m.sender.displayName);
      if (live) this.options.onIncoming?.(m);
    }
    if (isNew || before !== room.pending.length) {
      this.persist();
      this.changed();
    }
  }

  private typing(roomId: string, sender: { id: string; displayName: string }, typing: boolean): void {
    const room = this.rooms.get(roomId);
    if (!room || sender.id === this.options.selfId) return;
    const key = `${roomId}:${sender.id}`;
    const old = this.typingTimers.get(key);
    if (old) clearTimeout(old);
    room.typing = room.typing.filter((n) => n !== sender.displayName);
    if (typing) {
      room.typing.push(sender.displayName);
      this.typingTimers.set(
        key,
        setTimeout(() => this.typing(roomId, sender, false), this.options.typingTimeoutMs ?? 8000),
      );
    } else {
      this.typingTimers.delete(key);
    }
    this.changed();
  }

  private markClosed(roomId: string, reason: string): void {
    const room = this.rooms.get(roomId);
    if (!room || room.closed) return;
    room.closed = reason;
    room.typing = [];
    this.changed();
    this.options.onClosed?.(roomId, reason);
  }
}
