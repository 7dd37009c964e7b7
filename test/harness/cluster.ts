import { io } from 'socket.io-client';
import request from 'supertest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatSocket, ReliableChat } from '../../client/src/lib/reliable-chat';
import type { LoginResult, MessageSendResult, MessageView, ServerToClientEvents } from '../../src/realtime/contract';
import type { TestSocket } from './app';
import { createMariaDb, REDIS_URL, TEST_MASTER_KEY } from './env';
import { DIST_CLI, NodeProcess, requireBuild, spawnNode, startNodes } from './spawn';

export const PASSWORD = 'Correct-Horse-9-Battery';

/** Several `node dist/main.js` processes on one fresh MariaDB database and the shared Redis. */
export interface Cluster {
  env: Record<string, string>;
  databaseUrl: string;
  startNode: () => Promise<Node>;
  /** `count` nodes at once (test/harness/spawn.ts `startNodes`). */
  startNodes: (count: number) => Promise<Node[]>;
  cli: (args: string[]) => Promise<string>;
  drop: () => Promise<void>;
}

export type Node = NodeProcess;

export async function createCluster(extraEnv: Record<string, string> = {}): Promise<Cluster> {
  requireBuild();
  const db = await createMariaDb();
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    MASTER_KEY: TEST_MASTER_KEY,
    DEMO: 'off',
    RATE_LIMITS: 'off',
    CLIENT: 'off',
    LOG_LEVEL: 'warn',
    SOCKET_EVENT_LIMIT: '100000',
    MESSAGE_RATE_LIMIT: '100000',
    ...extraEnv,
  };
  const nodes: Node[] = [];
  const start = async (count: number) => {
    const started = await startNodes(count, env);
    nodes.push(...started);
    return started;
  };
  return {
    env,
    databaseUrl: db.url,
    startNode: async () => (await start(1))[0]!,
    startNodes: start,
    cli: async (args: string[]) => {
      const proc = spawnNode(DIST_CLI, args, { ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'lotse-cli-')) });
      const code = await proc.exited;
      if (code !== 0) throw new Error(`cli ${args[0]} failed (${code}):\n${proc.stdout()}\n${proc.stderr()}`);
      return proc.stdout();
    },
    drop: async () => {
      await Promise.all(nodes.map((n) => n.proc.stop()));
      await db.drop();
    },
  };
}

export async function loginAt(url: string, center: string, login: string): Promise<LoginResult> {
  return (await request(url).post('/api/auth/login').send({ center, login, password: PASSWORD }).expect(200)).body as LoginResult;
}

export async function registerAt(url: string, center: string, username: string): Promise<LoginResult> {
  return (await request(url).post('/api/auth/register').send({ center, username, password: PASSWORD }).expect(201)).body as LoginResult;
}

type Listener = (...args: never[]) => void;
/** The pushes ReliableChat follows, forwarded from whichever socket is current. */
export const CHAT_PUSHES = ['message.created', 'room.typing', 'room.closed'] as const satisfies readonly (keyof ServerToClientEvents)[];

export interface FailoverOptions {
  /** The pushes forwarded to the listeners (default: CHAT_PUSHES). */
  forward?: readonly string[];
  /** Every message the member received, as it came: each `message.created` push and each `room.history` page's messages. */
  onReceived?: (m: MessageView) => void;
  /** Connection attempts in a row before `open()` gives up (default: no end, a reconnect waits out a node that is down). */
  maxAttempts?: number;
  /** The pause between two attempts. */
  retryMs?: number;
}

/**
 * One ChatSocket over a socket per node: when the current node's socket drops it tells the
 * listeners `disconnect`, connects to the next node url in turn (a load balancer would), and tells
 * them `connect`. ReliableChat on top of it does the rest, as it does over one socket.io-client
 * socket that reconnects in the browser. It can go offline (no reconnect until `online()`: a phone
 * in a tunnel), keeps the reason of each disconnect, and records what arrives (`onReceived`).
 */
export class FailoverSocket implements ChatSocket {
  current: TestSocket | null = null;
  /** The reason of each drop of the current socket, in order (`offline` for `goOffline()`). */
  readonly disconnects: string[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  private closed = false;
  private offline = false;
  private attempt = 0;

  constructor(
    private readonly name: string,
    private readonly token: string,
    private readonly urls: string[],
    private readonly options: FailoverOptions = {},
  ) {}

  get connected(): boolean {
    return this.current?.connected ?? false;
  }

  on(event: string, listener: Listener): this {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    const s = this.current as unknown as { emit: (e: string, ...a: unknown[]) => void } | null;
    if (!s) return this;
    const last = args[args.length - 1];
    const received = this.options.onReceived;
    if (received && event === 'room.history' && typeof last === 'function') {
      const ack = last as (a: unknown) => void;
      args[args.length - 1] = (answer: { ok: boolean; data?: { messages: MessageView[] } }) => {
        if (answer.ok) for (const m of answer.data!.messages) received(m);
        ack(answer);
      };
    }
    s.emit(event, ...args);
    return this;
  }

  /** Connects to the urls in turn until one answers (a node may still be starting, or be dead). */
  async open(): Promise<void> {
    const { maxAttempts = Infinity, retryMs = 200 } = this.options;
    for (let failed = 0; !this.closed && !this.offline;) {
      const url = this.urls[this.attempt++ % this.urls.length]!;
      const socket: TestSocket = io(url, { auth: { token: this.token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 3000 });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', (err) => reject(err));
        });
      } catch {
        socket.close();
        if (++failed > maxAttempts) throw new Error(`${this.name} could not reconnect`);
        await new Promise((r) => setTimeout(r, retryMs));
        continue;
      }
      if (this.closed || this.offline) {
        socket.close();
        return;
      }
      const received = this.options.onReceived;
      if (received) socket.on('message.created', (m: MessageView) => received(m));
      for (const event of this.options.forward ?? CHAT_PUSHES) socket.on(event as 'message.created', (payload: unknown) => this.fire(event, payload));
      socket.on('disconnect', (reason) => {
        if (this.current !== socket) return;
        this.current = null;
        this.disconnects.push(reason);
        this.fire('disconnect', reason);
        if (!this.closed && !this.offline) void this.open().catch(() => undefined);
      });
      this.current = socket;
      this.fire('connect');
      return;
    }
  }

  /** Goes away (a phone in a tunnel): no reconnect until `online()`. */
  goOffline(): void {
    this.offline = true;
    const s = this.current;
    this.current = null;
    s?.removeAllListeners();
    s?.disconnect();
    this.disconnects.push('offline');
    this.fire('disconnect', 'offline');
  }

  async online(): Promise<void> {
    this.offline = false;
    await this.open();
  }

  close(): void {
    this.closed = true;
    const s = this.current;
    this.current = null;
    s?.removeAllListeners();
    s?.disconnect();
  }

  fire(event: string, ...args: unknown[]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) (fn as (...a: unknown[]) => void)(...args);
  }
}

/**
 * A room member as the browser client is one: the client's own `ReliableChat`
 * (client/src/lib/reliable-chat.ts: resends unacked messages with the same clientMsgId after a
 * reconnect, shows every message once in seq order, fills gaps from `room.history { afterSeq }`)
 * over a socket that fails over to the next node url when its node dies.
 */
export class ReliableMember {
  /** Every message.created push of the room as received (to check what the server sent). */
  readonly pushes: MessageView[] = [];
  readonly acked = new Map<string, MessageSendResult>();
  private readonly transport: FailoverSocket;
  private readonly chat: ReliableChat;
  private readonly sends = new Map<string, { resolve: (r: MessageSendResult) => void; reject: (e: Error) => void }>();
  private readonly waiters = new Set<() => void>();
  private nextClientMsgId = '';

  constructor(
    readonly name: string,
    /** The member's login (its token, and its account id: ReliableChat's "me"). */
    private readonly member: { token: string; account: { id: string } },
    private readonly roomId: string,
    /** Node urls in preference order; a reconnect tries them in turn. */
    urls: string[],
  ) {
    this.transport = new FailoverSocket(name, member.token, urls, { maxAttempts: 50 });
    this.transport.on('message.created', (m: MessageView) => {
      if (m.roomId === this.roomId) this.pushes.push(m);
    });
    this.chat = new ReliableChat(this.transport, {
      selfId: member.account.id,
      newId: () => this.nextClientMsgId,
      // a generous ack timeout: a send to a node that died is resent on the reconnect, not failed
      ackTimeoutMs: 30_000,
      onChange: () => this.changed(),
    });
  }

  /** The socket of the node this member is connected to now. */
  get socket(): TestSocket {
    if (!this.transport.current) throw new Error(`${this.name} is not connected`);
    return this.transport.current;
  }

  /** The room's messages as the client shows them: once each, in seq order. */
  get delivered(): MessageView[] {
    return this.chat.room(this.roomId)?.messages ?? [];
  }

  /** Connects and resolves once the room is joined and its history read. */
  async connect(): Promise<void> {
    this.chat.addRoom(this.roomId);
    await this.transport.open();
    await this.until(() => this.chat.room(this.roomId)?.synced === true, 30_000, 'joined');
  }

  /** Sends through ReliableChat and resolves with the ack (a retry after a reconnect carries the same clientMsgId). */
  send(clientMsgId: string, body: string): Promise<MessageSendResult> {
    return new Promise((resolve, reject) => {
      this.sends.set(clientMsgId, { resolve, reject });
      this.nextClientMsgId = clientMsgId;
      this.chat.send(this.roomId, body);
      this.changed();
    });
  }

  /**
   * Resolves once `count` messages are shown gap-free; after a quiet second it asks the client to
   * fill the gap from history (a push lost with a node that died before it broadcast).
   */
  async waitForDelivered(count: number, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.lastSeq() < count) {
      if (Date.now() > deadline) throw new Error(`${this.name}: ${this.lastSeq()}/${count} delivered`);
      const before = this.lastSeq();
      await this.nextChange(1000);
      if (this.lastSeq() === before) await this.chat.refill(this.roomId);
    }
  }

  close(): void {
    this.chat.destroy();
    this.transport.close();
  }

  /** Resolves at the client's next change, or after `ms` without one. */
  private nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private lastSeq(): number {
    return this.chat.room(this.roomId)?.lastSeq ?? 0;
  }

  private async until(test: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`${this.name}: not ${what} within ${ms} ms`);
      await this.nextChange(200);
    }
  }

  /** Settles the sends whose message the client no longer holds as pending (acked, or stored as the push showed). */
  private changed(): void {
    const room = this.chat.room(this.roomId);
    if (room && this.sends.size > 0) {
      for (const [clientMsgId, waiting] of this.sends) {
        const pending = room.pending.find((p) => p.clientMsgId === clientMsgId);
        if (pending?.state === 'failed') {
          this.sends.delete(clientMsgId);
          waiting.reject(new Error(`${this.name}: ${clientMsgId} refused with ${pending.error ?? 'an error'}`));
        } else if (!pending) {
          const stored = findLast(room.messages, (m) => m.clientMsgId === clientMsgId && m.sender.id === this.member.account.id);
          if (!stored) continue;
          this.sends.delete(clientMsgId);
          const result = { id: stored.id, seq: stored.seq, sentAt: stored.sentAt };
          this.acked.set(clientMsgId, result);
          waiting.resolve(result);
        }
      }
    }
    const w = [...this.waiters];
    this.waiters.clear();
    w.forEach((f) => f());
  }
}

function findLast<T>(items: T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return items[i];
  return undefined;
}
