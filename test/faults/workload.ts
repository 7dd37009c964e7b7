import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2';
import request from 'supertest';
import { io } from 'socket.io-client';
import { ChatSocket, ReliableChat } from '../../client/src/lib/reliable-chat';
import type { LoginResult, MessageView } from '../../src/realtime/contract';
import type { TestSocket } from '../harness/app';
import { TEST_MASTER_KEY } from '../harness/env';
import { PrivateMariaDb, PrivateService, startMariaDb, startRedis } from '../harness/services';
import { DIST_CLI, DIST_MAIN, freePort, requireBuild, Spawned, spawnNode } from '../harness/spawn';
import { TcpProxy } from '../harness/tcp-proxy';
import { emptyRecording, Recording, SeenMessage } from './checker';

export const PASSWORD = 'Correct-Horse-9-Battery';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small seeded PRNG (mulberry32): the same FAULT_SEED gives the same fault order and timing. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One Lotse node on a fixed port (a restart keeps the port, as behind a load balancer), reaching Redis through its own cuttable proxy. */
export class LotseNode {
  proc: Spawned | null = null;
  readonly url: string;
  exits: { signal: string; ms: number; code: number | null }[] = [];

  constructor(
    readonly name: string,
    readonly port: number,
    readonly redisProxy: TcpProxy,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get alive(): boolean {
    return this.proc !== null && this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  async start(): Promise<void> {
    const proc = spawnNode(DIST_MAIN, [], {
      ...this.env,
      REDIS_URL: this.redisProxy.url,
      PORT: String(this.port),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'lotse-fnode-')),
    });
    this.proc = proc;
    await proc.waitFor(/Lotse listens/, 90_000);
  }

  /** Sends the signal and resolves with how long the process took to exit (SIGKILL after 20 s). */
  async signal(sig: 'SIGKILL' | 'SIGTERM'): Promise<number> {
    const proc = this.proc;
    if (!proc) return 0;
    const t0 = Date.now();
    proc.child.kill(sig);
    const hard = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
    const code = await proc.exited;
    clearTimeout(hard);
    const ms = Date.now() - t0;
    this.exits.push({ signal: sig, ms, code });
    return ms;
  }

  output(): string {
    return this.proc ? this.proc.stdout() + this.proc.stderr() : '';
  }
}

/** The private services and two nodes of one fault file. */
export interface Stack {
  mariadb: PrivateMariaDb;
  redis: PrivateService;
  databaseUrl: string;
  nodes: [LotseNode, LotseNode];
  env: Record<string, string>;
  cli: (args: string[]) => Promise<string>;
  close: () => Promise<void>;
}

export async function startStack(extraEnv: Record<string, string> = {}): Promise<Stack> {
  requireBuild();
  const [mariadb, redis] = await Promise.all([startMariaDb(), startRedis()]);
  const databaseUrl = await mariadb.createDatabase('lotse_faults');
  const env = {
    DATABASE_URL: databaseUrl,
    MASTER_KEY: TEST_MASTER_KEY,
    DEMO: 'off',
    MAIL: 'off',
    // the slow consumer's burst (200 messages of 3 kB) passes this bound of the node's send buffer per socket
    SOCKET_SEND_BUFFER_BYTES: String(128 * 1024),
    RATE_LIMITS: 'off',
    CLIENT: 'off',
    LOG_LEVEL: 'warn',
    SOCKET_EVENT_LIMIT: '100000',
    MESSAGE_RATE_LIMIT: '100000',
    ...extraEnv,
  };
  const cli = async (args: string[]) => {
    const proc = spawnNode(DIST_CLI, args, { ...env, REDIS_URL: redis.url, DATA_DIR: mkdtempSync(join(tmpdir(), 'lotse-fcli-')) });
    const code = await proc.exited;
    if (code !== 0) throw new Error(`cli ${args[0]} failed (${code}):\n${proc.stdout()}\n${proc.stderr()}`);
    return proc.stdout();
  };
  const proxies = [new TcpProxy(new URL(redis.url)), new TcpProxy(new URL(redis.url))];
  await Promise.all(proxies.map((p) => p.listen()));
  const nodes = [new LotseNode('A', await freePort(), proxies[0]!, env), new LotseNode('B', await freePort(), proxies[1]!, env)] as [LotseNode, LotseNode];
  return {
    mariadb,
    redis,
    databaseUrl,
    nodes,
    env,
    cli,
    close: async () => {
      await Promise.all(nodes.map((n) => (n.alive ? n.signal('SIGKILL') : Promise.resolve(0))));
      await Promise.all(proxies.map((p) => p.close()));
      await Promise.all([mariadb.close(), redis.close()]);
    },
  };
}

type Listener = (...args: never[]) => void;
const FORWARDED = ['message.created', 'room.typing', 'room.closed', 'queue.position', 'queue.assigned', 'queue.closed'] as const;

/**
 * A socket that fails over between the nodes as a load balancer would (the next url after a drop),
 * can be taken offline (no reconnect until `online()`) and paused (stops reading its TCP socket: a
 * slow consumer). It records every message the member received (pushes and history pages).
 */
export class FailoverSocket implements ChatSocket {
  current: TestSocket | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private closed = false;
  private offline = false;
  private attempt = 0;
  disconnects: string[] = [];

  constructor(
    private readonly name: string,
    private readonly token: string,
    private readonly urls: string[],
    private readonly onReceived: (m: MessageView) => void,
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
    if (event === 'room.history' && typeof last === 'function') {
      const ack = last as (a: unknown) => void;
      args[args.length - 1] = (answer: { ok: boolean; data?: { messages: MessageView[] } }) => {
        if (answer.ok) for (const m of answer.data!.messages) this.onReceived(m);
        ack(answer);
      };
    }
    s.emit(event, ...args);
    return this;
  }

  async open(): Promise<void> {
    while (!this.closed && !this.offline) {
      const url = this.urls[this.attempt++ % this.urls.length]!;
      const socket: TestSocket = io(url, { auth: { token: this.token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 3000 });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', (err) => reject(err));
        });
      } catch {
        socket.close();
        await sleep(150);
        continue;
      }
      if (this.closed || this.offline) {
        socket.close();
        return;
      }
      socket.on('message.created', (m: MessageView) => this.onReceived(m));
      for (const event of FORWARDED) socket.on(event, (payload: unknown) => this.fire(event, payload));
      socket.on('disconnect', (reason) => {
        if (this.current !== socket) return;
        this.current = null;
        this.disconnects.push(reason);
        this.fire('disconnect', reason);
        if (!this.closed && !this.offline) void this.open();
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
    this.fire('disconnect', 'offline');
  }

  async online(): Promise<void> {
    this.offline = false;
    await this.open();
  }

  /** The TCP socket under the websocket (to stop reading it). */
  rawSocket(): { pause: () => void; resume: () => void } | null {
    const engine = (this.current as unknown as { io?: { engine?: { transport?: { ws?: { _socket?: { pause: () => void; resume: () => void } } } } } })?.io
      ?.engine;
    return engine?.transport?.ws?._socket ?? null;
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

/** A registered member (client or counselor) in several rooms, as the web client is: ReliableChat over a failover socket. */
export class Member {
  readonly socket: FailoverSocket;
  readonly chat: ReliableChat;
  private seq = 0;
  /** clientMsgId → resolve, for sends waiting on their ack. */
  private readonly waiting = new Map<string, () => void>();

  constructor(
    readonly name: string,
    readonly login: LoginResult,
    readonly rooms: string[],
    urls: string[],
    private readonly rec: Recording,
  ) {
    this.socket = new FailoverSocket(name, login.token, urls, (m) => {
      this.rec.received.push({ member: name, message: { id: m.id, roomId: m.roomId, seq: m.seq } });
      this.settle();
    });
    // record the server's real acks of message.send
    const emit = this.socket.emit.bind(this.socket);
    this.socket.emit = (event: string, ...args: unknown[]) => {
      const last = args[args.length - 1];
      if (event === 'message.send' && typeof last === 'function') {
        const payload = args[0] as { roomId: string; clientMsgId: string };
        const ack = last as (a: unknown) => void;
        args[args.length - 1] = (answer: { ok: boolean; data?: { id: string; seq: number } }) => {
          if (answer.ok)
            this.rec.messageAcks.push({
              member: name,
              senderId: login.account.id,
              roomId: payload.roomId,
              clientMsgId: payload.clientMsgId,
              id: answer.data!.id,
              seq: answer.data!.seq,
            });
          ack(answer);
        };
      }
      return emit(event, ...args);
    };
    let nextId = '';
    this.chat = new ReliableChat(this.socket, { selfId: login.account.id, newId: () => nextId, ackTimeoutMs: 20_000, onChange: () => this.settle() });
    this.nextIdSetter = (id) => (nextId = id);
    this.rec.membership[name] = rooms;
  }

  private readonly nextIdSetter: (id: string) => void;

  async connect(): Promise<void> {
    for (const r of this.rooms) this.chat.addRoom(r);
    await this.socket.open();
    await this.until(() => this.rooms.every((r) => this.chat.room(r)?.synced), 60_000, 'synced');
  }

  /** Sends one message and resolves when the client holds it as stored (a failed send is retried with the same id, as the user's "retry" does). */
  async send(roomId: string, padTo = 0): Promise<void> {
    const clientMsgId = `${this.name}-${++this.seq}`;
    this.nextIdSetter(clientMsgId);
    const done = new Promise<void>((resolve) => this.waiting.set(clientMsgId, resolve));
    this.chat.send(roomId, `${this.name} writes ${this.seq} `.padEnd(padTo, '.'));
    this.settle();
    await done;
  }

  /** Catch-up: every room's history after its gap-free prefix up to the database's last seq. */
  async catchUp(lastSeq: Record<string, number>, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const behind = this.rooms.filter((r) => (this.chat.room(r)?.lastSeq ?? 0) < (lastSeq[r] ?? 0));
      if (behind.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not catch up: ${behind.map((r) => `${r}: ${this.chat.room(r)?.lastSeq}/${lastSeq[r]}`).join(', ')}`);
      for (const r of behind) await this.chat.refill(r).catch(() => undefined);
      await sleep(300);
    }
  }

  delivered(): Record<string, SeenMessage[]> {
    return Object.fromEntries(this.rooms.map((r) => [r, (this.chat.room(r)?.messages ?? []).map((m) => ({ id: m.id, roomId: m.roomId, seq: m.seq }))]));
  }

  pendingCount(): number {
    return this.rooms.reduce((n, r) => n + (this.chat.room(r)?.pending.length ?? 0), 0);
  }

  close(): void {
    this.chat.destroy();
    this.socket.close();
  }

  private settle(): void {
    for (const [clientMsgId, resolve] of this.waiting) {
      for (const r of this.rooms) {
        const room = this.chat.room(r);
        if (!room) continue;
        const p = room.pending.find((x) => x.clientMsgId === clientMsgId);
        if (p?.state === 'failed') {
          // the user presses "retry" a moment later (same clientMsgId)
          setTimeout(() => this.chat.retry(clientMsgId), 300);
          p.state = 'sending';
        } else if (!p && room.messages.some((m) => m.clientMsgId === clientMsgId && m.sender.id === this.login.account.id)) {
          this.waiting.delete(clientMsgId);
          resolve();
        }
      }
    }
  }

  private async until(test: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`${this.name}: not ${what} within ${ms} ms`);
      await sleep(100);
    }
  }
}

export async function loginAt(url: string, center: string, login: string): Promise<LoginResult> {
  return (await request(url).post('/api/auth/login').send({ center, login, password: PASSWORD }).expect(200)).body as LoginResult;
}

export async function registerAt(url: string, center: string, username: string): Promise<LoginResult> {
  return (await request(url).post('/api/auth/register').send({ center, username, password: PASSWORD }).expect(201)).body as LoginResult;
}

/** One REST call against the first node that answers it without a 5xx or a network error (a client retrying on the other node). */
export async function restRetry<T>(
  urls: string[],
  fn: (url: string) => Promise<{ status: number; body: T }>,
  ms = 90_000,
): Promise<{ status: number; body: T }> {
  const deadline = Date.now() + ms;
  let last = '';
  for (let i = 0; Date.now() < deadline; i++) {
    const url = urls[i % urls.length]!;
    try {
      const res = await fn(url);
      if (res.status < 500 && res.status !== 429) return res;
      last = `${res.status} ${JSON.stringify(res.body)}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(250);
  }
  throw new Error(`REST call kept failing: ${last}`);
}

/** Reads what the checker compares against: the rows of the given rooms and threads. */
export async function readDatabase(databaseUrl: string, roomIds: string[], threadIds: string[]): Promise<Recording['db']> {
  const conn = await createConnection(databaseUrl);
  try {
    const [messages] = await conn.query<RowDataPacket[]>(
      'SELECT id, room_id AS roomId, seq, sender_id AS senderId, client_msg_id AS clientMsgId FROM messages WHERE room_id IN (?)',
      [roomIds.length ? roomIds : ['-']],
    );
    const [posts] = await conn.query<RowDataPacket[]>(
      'SELECT id, thread_id AS threadId, seq, sender_id AS senderId, client_post_id AS clientPostId FROM thread_posts WHERE thread_id IN (?)',
      [threadIds.length ? threadIds : ['-']],
    );
    return { messages: messages as Recording['db']['messages'], posts: posts as Recording['db']['posts'] };
  } finally {
    await conn.end();
  }
}

export async function lastSeqs(databaseUrl: string, roomIds: string[]): Promise<Record<string, number>> {
  const conn = await createConnection(databaseUrl);
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT id, last_seq AS lastSeq FROM rooms WHERE id IN (?)', [roomIds]);
    return Object.fromEntries(rows.map((r) => [r.id as string, Number(r.lastSeq)]));
  } finally {
    await conn.end();
  }
}

export { emptyRecording };
export type { Recording };
