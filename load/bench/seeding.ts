// The accounts, rooms and visitor tokens a run needs, created the way an operator would: the center
// and its counselors through the CLI, everything else through the REST API and the socket commands.
import { writeFileSync } from 'node:fs';
import { io, Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, LoginResult, ServerToClientEvents, VisitorResult } from '../../src/realtime/contract';
import { CENTER, PASSWORD } from './settings';
import type { Target } from './targets';

export type BenchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Command = keyof ClientToServerEvents;
type PayloadOf<E extends Command> = Parameters<ClientToServerEvents[E]>[0];
type DataOf<E extends Command> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0] extends Ack<infer T> ? T : never;

export interface Seed {
  /** One counselor per direct room, logged in. */
  counselors: LoginResult[];
  /** Each with its two members' tokens: the counselor's and the client's. */
  rooms: { roomId: string; members: string[] }[];
  /** For the queue scenario, one per visitor that arrives. */
  visitorTokens: string[];
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
    const socket: BenchSocket = io(base, { auth: { token }, transports: ['websocket'], reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(new Error(`socket connect failed: ${err.message}`)));
  });
}

/** A socket command with its ack; the ack's data, or an error with its code. */
export async function command<E extends Command>(socket: BenchSocket, event: E, payload: PayloadOf<E>): Promise<DataOf<E>> {
  const timed = socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<DataOf<E>>> };
  const answer = await timed.emitWithAck(event, payload);
  if (!answer.ok) throw new Error(`${event} failed: ${answer.error.code} ${answer.error.message}`);
  return answer.data;
}

/** Before Lotse starts: the center (CLI center:create) and one counselor per room (CLI staff:create); their logins. */
export async function seedAccounts(target: Target, pairs: number): Promise<string[]> {
  await target.cli(['center:create', '--slug', CENTER, '--name', 'Lotse Bench', '--admin-email', 'admin@bench.example', '--admin-password', PASSWORD]);
  const counselors = Array.from({ length: pairs }, (_, i) => `counselor${i + 1}@bench.example`);
  await pool(counselors, 2, (email, i) =>
    target.cli(['staff:create', '--center', CENTER, '--email', email, '--name', `Counselor ${i + 1}`, '--role', 'counselor', '--password', PASSWORD]),
  );
  return counselors;
}

/** Once Lotse runs: counselor logins, clients (REST register), direct rooms (room.create), visitor tokens (REST). */
export async function seedLotse(base: string, counselorEmails: string[], visitorCount: number): Promise<Seed> {
  const counselors = await pool(counselorEmails, 2, (login) =>
    api<LoginResult>(base, 'POST', '/api/auth/login', { center: CENTER, login, password: PASSWORD }),
  );
  const clients = await pool(counselorEmails, 2, (_e, i) =>
    api<LoginResult>(base, 'POST', '/api/auth/register', { center: CENTER, username: `bench-client-${i + 1}`, password: PASSWORD }),
  );
  const rooms: Seed['rooms'] = [];
  for (const [i, counselor] of counselors.entries()) {
    const client = clients[i] as LoginResult;
    const socket = await connectSocket(base, counselor.token);
    const { roomId } = await command(socket, 'room.create', { name: `Bench ${i + 1}`, memberIds: [client.account.id] });
    socket.disconnect();
    rooms.push({ roomId, members: [counselor.token, client.token] });
  }
  const visitors = await pool(Array.from({ length: visitorCount }), 4, () => api<VisitorResult>(base, 'POST', `/api/centers/${CENTER}/visitors`, {}));
  return { counselors, rooms, visitorTokens: visitors.map((v) => v.token) };
}

/** A CSV payload for artillery, readable by this user only. */
export function writeCsv(file: string, header: string, rows: string[][]): void {
  writeFileSync(file, [header, ...rows.map((r) => r.join(','))].join('\n') + '\n', { mode: 0o600 });
}
