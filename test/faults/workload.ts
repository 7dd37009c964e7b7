import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2';
import request from 'supertest';
import { io } from 'socket.io-client';
import { ReliableChat } from '../../client/src/lib/reliable-chat';
import type { LoginResult, MessageView, ThreadPostView } from '../../src/realtime/contract';
import type { TestSocket } from '../harness/app';
import { FailoverSocket, loginAt, PASSWORD, registerAt } from '../harness/cluster';
import { TEST_MASTER_KEY } from '../harness/env';
import { PrivateMariaDb, PrivateService, startMariaDb, startRedis } from '../harness/services';
import { DIST_CLI, DIST_MAIN, freePort, requireBuild, Spawned, spawnNode } from '../harness/spawn';
import { call, ok } from '../harness/ack';
import { TcpProxy } from '../harness/tcp-proxy';
import { emptyRecording, Recording, SeenMessage } from './checker';

export { FailoverSocket, loginAt, PASSWORD, registerAt };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small seeded PRNG (mulberry32). */
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

/**
 * The two random streams of one run, both derived from its seed: `schedule` (the faults' order,
 * timing, nodes and targets, all drawn before the run starts) and `traffic` (who sends where, the
 * pauses between sends). A seed printed by a failure therefore gives the same fault schedule
 * again, whatever the traffic did meanwhile.
 */
export function streams(seed: number): { schedule: () => number; traffic: () => number } {
  const derive = (label: number) => rng(Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(label, 0x85ebca77));
  return { schedule: derive(1), traffic: derive(2) };
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

/** The fault nodes' SOCKET_SEND_BUFFER_BYTES. */
export const SEND_BUFFER_BYTES = 64 * 1024;

export async function startStack(extraEnv: Record<string, string> = {}): Promise<Stack> {
  requireBuild();
  const [mariadb, redis] = await Promise.all([startMariaDb(), startRedis()]);
  const databaseUrl = await mariadb.createDatabase('lotse_faults');
  const env = {
    DATABASE_URL: databaseUrl,
    MASTER_KEY: TEST_MASTER_KEY,
    DEMO: 'off',
    MAIL: 'off',
    // the slow consumer passes this bound of the node's per-socket send buffer for certain: what it
    // is sent while it reads nothing (a burst of 4 kB pushes and pages of history it asks for) is
    // many times the ~4 MB that the kernel's loopback buffers take first
    SOCKET_SEND_BUFFER_BYTES: String(SEND_BUFFER_BYTES),
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

/** The pushes the workload follows besides ReliableChat's (the live queue). */
const FORWARDED = ['message.created', 'room.typing', 'room.closed', 'queue.position', 'queue.assigned', 'queue.closed'] as const;

/** A socket of the workload: fails over between the nodes, and records what it receives (if it is told where). */
export function failoverSocket(name: string, token: string, urls: string[], onReceived?: (m: MessageView) => void): FailoverSocket {
  return new FailoverSocket(name, token, urls, { forward: FORWARDED, onReceived, retryMs: 150 });
}

export const seenOf = (m: MessageView): SeenMessage => ({
  id: m.id,
  roomId: m.roomId,
  seq: m.seq,
  senderId: m.sender.id,
  clientMsgId: m.clientMsgId,
  body: m.body,
});

/** A registered member (client or counselor) in several rooms, as the web client is: ReliableChat over a failover socket. */
export class Member {
  readonly socket: FailoverSocket;
  readonly chat: ReliableChat;
  private seq = 0;
  /** clientMsgId → resolve, for sends waiting on their ack. */
  private readonly waiting = new Map<string, () => void>();

  constructor(
    readonly name: string,
    readonly login: Pick<LoginResult, 'token'> & { account: { id: string } },
    readonly rooms: string[],
    urls: string[],
    private readonly rec: Recording,
  ) {
    this.socket = failoverSocket(name, login.token, urls, (m) => {
      this.rec.received.push({ member: name, message: seenOf(m) });
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
    // (no white space at the ends: the server trims a body)
    const body = padTo ? `${this.name} writes ${this.seq} `.padEnd(padTo, '.') : `${this.name} writes ${this.seq}`;
    this.rec.sent.push({ member: this.name, senderId: this.login.account.id, roomId, clientMsgId, body });
    this.chat.send(roomId, body);
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
    return Object.fromEntries(this.rooms.map((r) => [r, (this.chat.room(r)?.messages ?? []).map(seenOf)]));
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

/**
 * The stored bodies as the server decrypts them: every page of each room's history (read by one of
 * its members, on a socket of its own) and of each thread's posts (read by its client). id → body.
 */
export async function storedBodies(
  url: string,
  rooms: { roomId: string; token: string }[],
  threads: { threadId: string; token: string }[],
): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  for (const { roomId, token } of rooms) {
    const s: TestSocket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      ok(await call(s, 'room.join', { roomId }, 15_000));
      for (let after = 0; ;) {
        const page = ok(await call(s, 'room.history', { roomId, afterSeq: after, limit: 100 }, 15_000)).messages;
        for (const m of page) bodies.set(m.id, m.body);
        if (page.length < 100) break;
        after = page[page.length - 1]!.seq;
      }
    } finally {
      s.disconnect();
    }
  }
  for (const { threadId, token } of threads) {
    for (let after = 0; ;) {
      const res = await request(url).get(`/api/threads/${threadId}/posts?afterSeq=${after}&limit=100`).set('Authorization', `Bearer ${token}`).expect(200);
      const page = (res.body as { posts: ThreadPostView[] }).posts;
      for (const p of page) if (p.body !== null) bodies.set(p.id, p.body);
      if (page.length < 100) break;
      after = page[page.length - 1]!.seq;
    }
  }
  return bodies;
}

/** Reads what the checker compares against: the rows of the given rooms and threads, with their bodies as the server decrypts them. */
export async function readDatabase(databaseUrl: string, roomIds: string[], threadIds: string[], bodies: Map<string, string>): Promise<Recording['db']> {
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
    const withBody = <T extends { id: string }>(rows: T[]) => rows.map((r) => ({ ...r, body: bodies.get(r.id) ?? null }));
    return {
      messages: withBody(messages as Omit<Recording['db']['messages'][number], 'body'>[]),
      posts: withBody(posts as Omit<Recording['db']['posts'][number], 'body'>[]),
    };
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
