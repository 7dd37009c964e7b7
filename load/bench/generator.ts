// One load-generator process of the bench (forked by load/bench/generators.ts, several at once):
// it owns a share of the sockets and does what the parent asks over IPC. Open loop: every send is
// scheduled at a fixed time independent of the answers, and its latency is measured from that
// scheduled time, so a slow server cannot slow the offered load down (no coordinated omission).
// socket.io-client with the websocket transport only; HTTP on keep-alive agents.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { answerText } from './http-text';
import { performance } from 'node:perf_hooks';
import { io, Socket } from 'socket.io-client';

export type Task =
  | { op: 'visitors'; url: string; center: string; count: number; concurrency: number }
  | { op: 'connect'; url: string; sockets: { token: string; roomId?: string; url?: string }[]; useVisitors?: boolean; concurrency: number }
  | { op: 'send'; at: number; rate: number; seconds: number; graceMs: number }
  | { op: 'queue'; at: number; graceMs: number }
  | {
      op: 'http';
      url: string;
      method: 'GET' | 'POST';
      targets: { path: string; token?: string }[];
      at: number;
      rate: number;
      seconds: number;
      graceMs: number;
      connections: number;
    }
  | { op: 'close' };

/** What every task answers besides its own figures: this process's CPU seconds during the task and its wall time. */
export interface Cost {
  cpuSeconds: number;
  wallSeconds: number;
}

export interface LoadResult extends Cost {
  sent: number;
  acked: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** ms from the scheduled time, ascending, of the answers within the step + grace. */
  latencies: number[];
  /** message.created pushes received during the step (the fan-out). */
  pushes: number;
}

export interface ConnectResult extends Cost {
  connected: number;
  failed: number;
  firstError: string | null;
  /** failures by message (a message's numbers and ids cut off), e.g. which handshakes closed and why */
  errorKinds: Record<string, number>;
}

export interface QueueResult extends Cost {
  joined: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** ms from the common start to each join's ack, ascending. */
  ackMs: number[];
  /** ms from the common start to each queue.assigned, ascending. */
  assignedMs: number[];
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
type Ack = { ok: true; data: unknown } | { ok: false; error: { code: string } };

const now = (): number => performance.timeOrigin + performance.now();
/**
 * Open loop: calls `fire(i)` for i = 0 … n-1 at `at + i × interval` (catching up at once when the
 * process fell behind, never waiting for answers), then resolves at `deadline`.
 */
function openLoop(at: number, n: number, interval: number, deadline: number, fire: (i: number) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let fired = 0;
    const tick = () => {
      const due = Math.min(n, Math.floor((now() - at) / interval) + 1);
      while (fired < due) fire(fired++);
      if (fired < n) setTimeout(tick, 1);
      else setTimeout(resolve, Math.max(0, deadline - now()));
    };
    setTimeout(tick, Math.max(0, at - now()));
  });
}

const sleepUntil = (t: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, t - now())));

let sockets: { socket: Socket; roomId?: string }[] = [];
let visitorTokens: string[] = [];
let pushes = 0;

function measured<T>(fn: () => Promise<T>): Promise<T & Cost> {
  const cpu = process.cpuUsage();
  const t0 = now();
  return fn().then((r) => {
    const used = process.cpuUsage(cpu);
    return { ...r, cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: (now() - t0) / 1000 };
  });
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

function httpJson(
  url: string,
  method: string,
  path: string,
  body: unknown,
  agent?: Agent,
  token?: string,
  timeoutMs = 30_000,
): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method,
        agent,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => answerText(res, resolve, reject),
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end(payload);
  });
}

async function visitors(t: Extract<Task, { op: 'visitors' }>): Promise<{ created: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: t.concurrency });
  const tokens: string[] = [];
  await pool(
    Array.from({ length: t.count }, (_, i) => i),
    t.concurrency,
    async () => {
      const res = await httpJson(t.url, 'POST', `/api/centers/${t.center}/visitors`, {}, agent);
      if (res.status !== 201) throw new Error(`POST visitors answered ${res.status}: ${res.text.slice(0, 200)}`);
      tokens.push((JSON.parse(res.text) as { token: string }).token);
    },
  );
  agent.destroy();
  visitorTokens = tokens;
  return { created: tokens.length };
}

/**
 * One socket, connected or failed within 30 s. socket.io-client's `timeout` covers only the
 * engine's opening; a namespace CONNECT the server never answers (its middleware never calls
 * next) would wait forever, and the bench with it — counted here as failed ("connect timeout").
 */
function connectOne(url: string, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('connect timeout: no CONNECT answer within 30 s'));
    }, 30_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    // the engine's connection closed before the namespace CONNECT was answered: socket.io-client
    // emits only 'disconnect' then (no connect_error), which would otherwise look like a stall
    socket.once('disconnect', (reason, details) => {
      clearTimeout(timer);
      socket.close();
      const description = (details as { description?: unknown } | undefined)?.description;
      const why = description instanceof Error ? description.message : typeof description === 'string' ? description : '';
      reject(new Error(`closed before CONNECT: ${reason}${why ? ` (${why})` : ''}`));
    });
  });
}

const emitAck = (socket: Socket, event: string, payload: unknown, ms = 30_000): Promise<Ack> =>
  (socket.timeout(ms) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack> }).emitWithAck(event, payload);

async function connect(t: Extract<Task, { op: 'connect' }>): Promise<Omit<ConnectResult, keyof Cost>> {
  const wanted = t.useVisitors ? visitorTokens.map((token) => ({ token, roomId: undefined })) : t.sockets;
  let failed = 0;
  let firstError: string | null = null;
  const errorKinds: Record<string, number> = {};
  await pool(wanted, t.concurrency, async (w) => {
    try {
      const socket = await connectOne('url' in w && w.url ? w.url : t.url, w.token);
      socket.on('message.created', () => void pushes++);
      if (w.roomId) {
        const answer = await emitAck(socket, 'room.join', { roomId: w.roomId });
        if (!answer.ok) throw new Error(`room.join: ${answer.error.code}`);
      }
      sockets.push({ socket, roomId: w.roomId });
    } catch (err) {
      failed++;
      const message = err instanceof Error ? err.message : String(err);
      firstError ??= message;
      const kind = message.slice(0, 80);
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
  });
  return { connected: wanted.length - failed, failed, firstError, errorKinds };
}

const BODY = 'Bench message: how are you today? This is about as long as a typical chat line in counseling.';

async function send(t: Extract<Task, { op: 'send' }>): Promise<Omit<LoadResult, keyof Cost>> {
  const senders = sockets.filter((s) => s.roomId);
  const n = Math.round(t.rate * t.seconds);
  const interval = 1000 / t.rate;
  const deadline = t.at + t.seconds * 1000 + t.graceMs;
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  let [acked, errors, sent, open] = [0, 0, 0, true];
  const pushesBefore = pushes;
  if (senders.length === 0 || n === 0) return { sent: 0, acked: 0, errors: 0, errorKinds, latencies, pushes: 0 };
  await openLoop(t.at, n, interval, deadline, (i) => {
    const scheduled = t.at + i * interval;
    const s = senders[i % senders.length] as (typeof senders)[number];
    s.socket.emit('message.send', { roomId: s.roomId, clientMsgId: randomUUID(), body: BODY }, (a: Ack) => {
      if (!open) return;
      if (a.ok) {
        acked++;
        latencies.push(now() - scheduled);
      } else {
        errors++;
        errorKinds[a.error.code] = (errorKinds[a.error.code] ?? 0) + 1;
      }
    });
    sent++;
  });
  open = false;
  return { sent, acked, errors, errorKinds, latencies: latencies.sort((a, b) => a - b), pushes: pushes - pushesBefore };
}

async function queue(t: Extract<Task, { op: 'queue' }>): Promise<Omit<QueueResult, keyof Cost>> {
  const ackMs: number[] = [];
  const assignedMs: number[] = [];
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  const deadline = t.at + t.graceMs;
  for (const { socket } of sockets) socket.once('queue.assigned', () => void (now() <= deadline && assignedMs.push(now() - t.at)));
  await sleepUntil(t.at);
  for (const { socket } of sockets) {
    socket.emit('queue.join', {}, (a: Ack) => {
      if (a.ok) ackMs.push(now() - t.at);
      else {
        errors++;
        errorKinds[a.error.code] = (errorKinds[a.error.code] ?? 0) + 1;
      }
    });
  }
  await sleepUntil(deadline);
  return { joined: ackMs.length, errors, errorKinds, ackMs: ackMs.sort((a, b) => a - b), assignedMs: assignedMs.sort((a, b) => a - b) };
}

async function http(t: Extract<Task, { op: 'http' }>): Promise<Omit<LoadResult, keyof Cost>> {
  const agent = new Agent({ keepAlive: true, maxSockets: t.connections });
  const n = Math.round(t.rate * t.seconds);
  const interval = 1000 / t.rate;
  const deadline = t.at + t.seconds * 1000 + t.graceMs;
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  let [acked, errors, sent, open] = [0, 0, 0, true];
  if (n === 0 || t.targets.length === 0) return { sent: 0, acked: 0, errors: 0, errorKinds, latencies, pushes: 0 };
  await openLoop(t.at, n, interval, deadline, (i) => {
    const scheduled = t.at + i * interval;
    const target = t.targets[i % t.targets.length] as (typeof t.targets)[number];
    const body = t.method === 'POST' ? { body: BODY, clientPostId: randomUUID() } : undefined;
    httpJson(t.url, t.method, target.path, body, agent, target.token, Math.max(1000, deadline - now())).then(
      (res) => {
        if (!open) return;
        if (res.status >= 200 && res.status < 300) {
          acked++;
          latencies.push(now() - scheduled);
        } else {
          errors++;
          errorKinds[`http ${res.status}`] = (errorKinds[`http ${res.status}`] ?? 0) + 1;
        }
      },
      (err: Error) => {
        if (!open) return;
        errors++;
        errorKinds[err.message] = (errorKinds[err.message] ?? 0) + 1;
      },
    );
    sent++;
  });
  open = false;
  agent.destroy();
  return { sent, acked, errors, errorKinds, latencies: latencies.sort((a, b) => a - b), pushes: 0 };
}

async function close(): Promise<{ closed: number }> {
  const closed = sockets.length;
  for (const { socket } of sockets) socket.close();
  sockets = [];
  visitorTokens = [];
  return { closed };
}

function run(task: Task): Promise<unknown> {
  switch (task.op) {
    case 'visitors':
      return measured(() => visitors(task));
    case 'connect':
      return measured(() => connect(task));
    case 'send':
      return measured(() => send(task));
    case 'queue':
      return measured(() => queue(task));
    case 'http':
      return measured(() => http(task));
    case 'close':
      return measured(() => close());
  }
}

process.on('message', (msg: { id: number; task: Task }) => {
  run(msg.task).then(
    (result) => process.send?.({ id: msg.id, ok: true, result } satisfies Reply),
    (err: unknown) => process.send?.({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply),
  );
});
process.on('disconnect', () => process.exit(0));
