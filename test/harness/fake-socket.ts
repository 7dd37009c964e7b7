import type { Ack } from '../../src/realtime/contract';

// a listener as the client code registers it: typed per event there, so nothing is known here
type Handler = (...args: never[]) => void;
type AckFn = (a: Ack<unknown>) => void;

/** One emit the client made: its event, its payload and the ack the test answers with. */
export interface FakeCall {
  event: string;
  payload: Record<string, unknown>;
  ack: AckFn;
}

/**
 * A scripted stand-in for a socket.io-client socket, for the client's unit tests (the reliable
 * chat, the rooms, widget, console and topic-visitor sessions): it records every emit, and the
 * test connects it, drops it, pushes server events and answers the acks. Where a session takes a
 * `LotseSocket`, pass it `as unknown as LotseSocket`; it implements the narrow socket interfaces
 * (ChatSocket, RoomsSocket) as it is.
 */
export class FakeSocket {
  connected = false;
  /** True once the client called `disconnect()`. */
  disconnected = false;
  calls: FakeCall[] = [];
  private handlers = new Map<string, Set<Handler>>();

  /** `token`: what the session's socket factory was given (the console and topic-visitor tests check it). */
  constructor(readonly token = '') {}

  on(event: string, fn: Handler): this {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)!.add(fn);
    return this;
  }

  off(event: string, fn: Handler): this {
    this.handlers.get(event)?.delete(fn);
    return this;
  }

  removeAllListeners(): this {
    this.handlers.clear();
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    this.calls.push({ event, payload: args[0] as Record<string, unknown>, ack: args[1] as AckFn });
    return this;
  }

  /** A server event (or `connect` / `disconnect`) to every listener registered for it now. */
  push(event: string, payload?: unknown): void {
    // a copy: a listener may remove itself (or others) while it runs, as socket.io allows
    for (const fn of [...(this.handlers.get(event) ?? [])]) (fn as (p?: unknown) => void)(payload);
  }

  /** The connection comes up. */
  connect(): this {
    this.connected = true;
    this.push('connect');
    return this;
  }

  /** The connection is lost (not asked for by the client). */
  drop(): void {
    this.connected = false;
    this.push('disconnect', 'transport close');
  }

  /** The client closes the socket itself. */
  disconnect(): this {
    this.connected = false;
    this.disconnected = true;
    return this;
  }

  /** Takes the oldest unanswered emit of an event (throws, naming what was emitted, when there is none). */
  take(event: string): FakeCall {
    const i = this.calls.findIndex((c) => c.event === event);
    if (i === -1) throw new Error(`no ${event} emitted; got ${this.calls.map((c) => c.event).join(', ')}`);
    return this.calls.splice(i, 1)[0]!;
  }

  /** How many listeners are registered (a session that is destroyed leaves none). */
  listenerCount(): number {
    return [...this.handlers.values()].reduce((n, set) => n + set.size, 0);
  }

  /** The unanswered emits of an event, oldest first. */
  emitted(event: string): FakeCall[] {
    return this.calls.filter((c) => c.event === event);
  }
}

/** An in-memory localStorage / sessionStorage. */
export class MemoryStore {
  data = new Map<string, string>();
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.data.set(k, v);
  }
  removeItem(k: string): void {
    this.data.delete(k);
  }
  clear(): void {
    this.data.clear();
  }
}

/** Lets every pending promise callback and immediate run (the sessions answer asynchronously). */
export const flush = (): Promise<void> => new Promise<void>((r) => setImmediate(r));
