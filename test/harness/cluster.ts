import { io } from 'socket.io-client';
import request from 'supertest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoginResult, MessageSendResult, MessageView } from '../../src/realtime/contract';
import { call } from './ack';
import type { TestSocket } from './app';
import { createMariaDb, REDIS_URL, TEST_MASTER_KEY } from './env';
import { DIST_CLI, DIST_MAIN, freePort, requireBuild, Spawned, spawnNode } from './spawn';

export const PASSWORD = 'Correct-Horse-9-Battery';

/** Several `node dist/main.js` processes on one fresh MariaDB database and the shared Redis. */
export interface Cluster {
  env: Record<string, string>;
  databaseUrl: string;
  startNode: () => Promise<Node>;
  cli: (args: string[]) => Promise<string>;
  drop: () => Promise<void>;
}

export interface Node {
  url: string;
  proc: Spawned;
}

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
  const nodes: Spawned[] = [];
  return {
    env,
    databaseUrl: db.url,
    startNode: async () => {
      const port = await freePort();
      const proc = spawnNode(DIST_MAIN, [], { ...env, PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'lotse-node-')) });
      nodes.push(proc);
      await proc.waitFor(/Lotse listens/, 60_000);
      return { url: `http://127.0.0.1:${port}`, proc };
    },
    cli: async (args: string[]) => {
      const proc = spawnNode(DIST_CLI, args, { ...env, DATA_DIR: mkdtempSync(join(tmpdir(), 'lotse-cli-')) });
      const code = await proc.exited;
      if (code !== 0) throw new Error(`cli ${args[0]} failed (${code}):\n${proc.stdout()}\n${proc.stderr()}`);
      return proc.stdout();
    },
    drop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
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

/**
 * A member as the reliable client library behaves: resends unacked messages with the same
 * clientMsgId until acked (reconnecting to a surviving node), delivers pushes in seq order exactly
 * once (buffering out-of-order ones), and fills gaps from `room.history { afterSeq }`.
 */
export class ReliableMember {
  socket!: TestSocket;
  /** Messages handed to the application, in order. */
  readonly delivered: MessageView[] = [];
  /** Every message.created push as received (to check what the server sent). */
  readonly pushes: MessageView[] = [];
  readonly acked = new Map<string, MessageSendResult>();
  private readonly pending = new Map<number, MessageView>();
  private lastSeq = 0;
  private connecting: Promise<void> | null = null;
  private waiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly token: string,
    private readonly roomId: string,
    /** Node urls in preference order; a reconnect tries them in turn. */
    public urls: string[],
  ) {}

  async connect(): Promise<void> {
    this.connecting ??= this.openSocket().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async openSocket(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const url = this.urls[attempt % this.urls.length]!;
      const socket: TestSocket = io(url, { auth: { token: this.token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 3000 });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', (err) => reject(err));
        });
      } catch {
        socket.close();
        if (attempt > 50) throw new Error(`${this.name} could not reconnect`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      socket.on('message.created', (m) => {
        if (m.roomId !== this.roomId) return;
        this.pushes.push(m);
        this.accept(m);
      });
      socket.on('disconnect', () => {
        if (this.socket === socket) void this.connect().catch(() => undefined);
      });
      this.socket = socket;
      await call(socket, 'room.join', { roomId: this.roomId });
      await this.repair();
      return;
    }
  }

  /** Sends until acked; a retry carries the same clientMsgId, so it is stored at most once. */
  async send(clientMsgId: string, body: string): Promise<MessageSendResult> {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (this.connecting) await this.connecting.catch(() => undefined);
      const socket = this.socket;
      try {
        const answer = await call(socket, 'message.send', { roomId: this.roomId, clientMsgId, body }, 4000);
        if (answer.ok) {
          this.acked.set(clientMsgId, answer.data);
          return answer.data;
        }
        throw new Error(`${this.name}: ${answer.error.code} ${answer.error.message}`);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith(`${this.name}:`)) throw err;
        // No ack (timeout or the node died): reconnect if needed and send the same message again.
        if (!socket.connected) await this.connect().catch(() => undefined);
      }
    }
    throw new Error(`${this.name}: ${clientMsgId} never acked`);
  }

  /** Fetches everything after the last delivered seq, page by page. */
  async repair(): Promise<void> {
    for (;;) {
      const answer = await call(this.socket, 'room.history', { roomId: this.roomId, afterSeq: this.lastSeq, limit: 200 });
      if (!answer.ok) throw new Error(`${this.name}: history ${answer.error.code}`);
      for (const m of answer.data.messages) this.accept(m);
      if (answer.data.messages.length < 200) return;
    }
  }

  /** Resolves once `count` messages were delivered in order (repairing from history after a quiet period). */
  async waitForDelivered(count: number, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.delivered.length < count) {
      if (Date.now() > deadline) throw new Error(`${this.name}: ${this.delivered.length}/${count} delivered`);
      const before = this.delivered.length;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (this.delivered.length === before && this.socket.connected) await this.repair();
    }
  }

  close(): void {
    const s = this.socket;
    this.socket = undefined as unknown as TestSocket;
    s?.removeAllListeners();
    s?.disconnect();
  }

  private accept(m: MessageView): void {
    if (m.seq <= this.lastSeq || this.pending.has(m.seq)) return;
    this.pending.set(m.seq, m);
    while (this.pending.has(this.lastSeq + 1)) {
      const next = this.pending.get(this.lastSeq + 1)!;
      this.pending.delete(next.seq);
      this.delivered.push(next);
      this.lastSeq = next.seq;
    }
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }
}
