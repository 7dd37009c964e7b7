// The accounts, rooms and threads a run needs, created the way an operator would: the center and
// its admin through the CLI, the counselors through the admin's REST API (MAIL=off answers their
// generated passwords), clients, rooms and thread enquiries through the REST API and socket commands.
// The baseline gets the same shapes with made-up ids ("none" for every token: it checks nothing).
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, LoginResult, ServerToClientEvents } from '../../src/realtime/contract';
import { CENTER, PASSWORD } from './settings';
import type { System, Target } from './targets';

export type BenchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Command = keyof ClientToServerEvents;
type PayloadOf<E extends Command> = Parameters<ClientToServerEvents[E]>[0];
type DataOf<E extends Command> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0] extends Ack<infer T> ? T : never;

export interface Seed {
  /** One counselor per room: the counselor's token and the client's. */
  rooms: { roomId: string; counselor: string; client: string }[];
  /** One thread per client, to post to with the client's token. */
  threads: { threadId: string; token: string }[];
}

/** Runs `fn` over `items` with at most `concurrency` at a time; the results in the items' order. */
export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export async function api<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

export function connectSocket(base: string, token: string): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const socket: BenchSocket = io(base, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(new Error(`socket connect failed: ${err.message}`)));
  });
}

/** A socket command with its ack; the ack's data, or an error with its code. */
export async function command<E extends Command>(socket: BenchSocket, event: E, payload: PayloadOf<E>): Promise<DataOf<E>> {
  const timed = socket.timeout(30_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<DataOf<E>>> };
  const answer = await timed.emitWithAck(event, payload);
  if (!answer.ok) throw new Error(`${event} failed: ${answer.error.code} ${answer.error.message}`);
  return answer.data;
}

const ADMIN = 'admin@bench.example';

/** Before Lotse starts: the center and its admin (CLI center:create). */
export async function seedCenter(target: Target): Promise<void> {
  await target.cli(['center:create', '--slug', CENTER, '--name', 'Lotse Bench', '--admin-email', ADMIN, '--admin-password', PASSWORD]);
}

/** Once Lotse runs: `rooms` counselors (admin REST), their logins, as many clients (register), a direct room per pair, a thread enquiry per client. */
export async function seedLotse(lotse: System, rooms: number): Promise<{ seed: Seed; counselors: string[] }> {
  const base = lotse.urls[0] as string;
  const admin = await api<LoginResult>(base, 'POST', '/api/auth/login', { center: CENTER, login: ADMIN, password: PASSWORD });
  const created = await pool(Array.from({ length: rooms }), 4, (_x, i) =>
    api<{ id: string; password: string }>(
      base,
      'POST',
      `/api/centers/${CENTER}/staff`,
      { email: `counselor${i + 1}@bench.example`, displayName: `Counselor ${i + 1}`, role: 'counselor' },
      admin.token,
    ),
  );
  const counselors = await pool(created, 4, (c, i) =>
    api<LoginResult>(base, 'POST', '/api/auth/login', { center: CENTER, login: `counselor${i + 1}@bench.example`, password: c.password }),
  );
  const clients = await pool(counselors, 4, (_c, i) =>
    api<LoginResult>(base, 'POST', '/api/auth/register', { center: CENTER, username: `bench-client-${i + 1}`, password: PASSWORD }),
  );
  const seed: Seed = { rooms: [], threads: [] };
  await pool(counselors, 4, async (counselor, i) => {
    const client = clients[i] as LoginResult;
    const socket = await connectSocket(base, counselor.token);
    try {
      const { roomId } = await command(socket, 'room.create', { name: `Bench ${i + 1}`, memberIds: [client.account.id] });
      seed.rooms.push({ roomId, counselor: counselor.token, client: client.token });
    } finally {
      socket.disconnect();
    }
    const thread = await api<{ id: string }>(base, 'POST', '/api/threads', { subject: `Bench ${i + 1}`, body: 'A first post.' }, client.token);
    seed.threads.push({ threadId: thread.id, token: client.token });
  });
  return { seed, counselors: counselors.map((c) => c.token) };
}

/** The baseline's seed: the same shapes, made-up ids, no tokens. */
export function baselineSeed(rooms: number): { seed: Seed; counselors: string[] } {
  return {
    seed: {
      rooms: Array.from({ length: rooms }, () => ({ roomId: randomUUID(), counselor: 'none', client: 'none' })),
      threads: Array.from({ length: rooms }, () => ({ threadId: randomUUID(), token: 'none' })),
    },
    counselors: Array.from({ length: rooms }, () => 'none'),
  };
}
