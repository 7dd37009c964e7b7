import { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import pino from 'pino';
import type { AddressInfo } from 'node:net';
import { io, Socket } from 'socket.io-client';
import request from 'supertest';
import { createApp } from '../../src/app';
import type { Clock } from '../../src/common/clock';
import { AppConfig, loadConfig } from '../../src/config/config';
import type { ClientToServerEvents, ServerToClientEvents, VisitorResult } from '../../src/realtime/contract';
import { createCenter, createClient, createStaff, type CenterSpec, type Login } from '../factories';
import { createMariaDb, HASH_COST_ENV, onMariaDb, REDIS_URL, tempDataDir, TEST_MASTER_KEY } from './env';

// the harness has one freePort (spawn.ts); browser tests import it from here; login and Login live with the factories
export { freePort } from './spawn';
export { login, type Login } from '../factories';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  url: string;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

export interface StartOptions {
  /** Extra environment (strings, as the process would see them). */
  env?: Record<string, string>;
  /** Share a database with another node (two-node tests). */
  databaseUrl?: string;
  dataDir?: string;
  /** Default: Redis on MariaDB runs, none on SQLite runs. */
  redis?: boolean;
  /** A controllable clock (time windows, expiry) instead of the system clock. */
  clock?: Clock;
  /** MASTER_KEY (base64); null: none, the key generated into the data dir (file mode). Default: TEST_MASTER_KEY. */
  masterKey?: string | null;
  /** Write the logs to this file (level info unless LOG_LEVEL is given), e.g. for the erasure scan. */
  logFile?: string;
}

/**
 * Starts the whole application in this process on an ephemeral port, on the database of the run
 * (a fresh SQLite file, or a fresh MariaDB database) and with Redis on MariaDB runs.
 */
export async function startApp(options: StartOptions = {}): Promise<TestApp & { dropDb: () => Promise<void> }> {
  let dropDb = async () => undefined as void;
  let databaseUrl = options.databaseUrl;
  if (onMariaDb && !databaseUrl) {
    const db = await createMariaDb();
    databaseUrl = db.url;
    dropDb = db.drop;
  }
  const useRedis = options.redis ?? onMariaDb;
  const env: Record<string, string> = {
    DATA_DIR: options.dataDir ?? tempDataDir(),
    ...(options.masterKey === null ? {} : { MASTER_KEY: options.masterKey ?? TEST_MASTER_KEY }),
    DEMO: 'off',
    LOG_LEVEL: options.logFile ? 'info' : 'silent',
    RATE_LIMITS: 'off',
    CLIENT: 'off',
    ...HASH_COST_ENV,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(useRedis ? { REDIS_URL } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const logStream = options.logFile ? pino.destination({ dest: options.logFile, sync: true, mkdir: true }) : undefined;
  const app = await createApp({ config, clock: options.clock, logStream });
  // An explicit PORT (browser tests: PUBLIC_URL must equal the origin the browser uses) or an ephemeral one.
  await app.listen(options.env?.PORT ? config.port : 0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    config: { ...config, port },
    url,
    http: () => request(server),
    close: async () => {
      await app.close();
    },
    dropDb,
  };
}

export interface SeededCenter {
  centerId: string;
  slug: string;
  admin: Login;
  counselors: Login[];
  clients: Login[];
}

/** A center with an admin, counselors and registered clients, all logged in (built from test/factories). */
export async function seedCenter(
  t: TestApp,
  opts: { counselors?: number; clients?: number; slug?: string; settings?: CenterSpec['settings'] } = {},
): Promise<SeededCenter> {
  const center = await createCenter(t, { ...(opts.slug === undefined ? {} : { slug: opts.slug }), ...(opts.settings ? { settings: opts.settings } : {}) });
  const slug = center.slug;
  const staff = (i: number, role: 'admin' | 'counselor') =>
    createStaff(t, center, { email: `${role}${i}@${slug}.example`, displayName: `${role === 'admin' ? 'Admin' : 'Counselor'} ${i}`, role });
  const admin = await staff(0, 'admin');
  const counselors: Login[] = [];
  for (let i = 0; i < (opts.counselors ?? 2); i++) counselors.push(await staff(i + 1, 'counselor'));
  const clients: Login[] = [];
  for (let i = 0; i < (opts.clients ?? 2); i++) clients.push(await createClient(t, center, { username: `client-${i}-${slug}`.slice(0, 40) }));
  return { centerId: center.id, slug, admin, counselors, clients };
}

export async function visitor(t: TestApp, center: string): Promise<VisitorResult> {
  const res = await t.http().post(`/api/centers/${center}/visitors`).send({}).expect(201);
  return res.body as VisitorResult;
}

const openSockets = new Set<TestSocket>();

/** A connected typed socket.io-client (rejects with the connect_error message). */
export async function connect(url: string, token: string | undefined, beforeConnect?: (socket: TestSocket) => void): Promise<TestSocket> {
  const socket: TestSocket = io(url, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  openSockets.add(socket);
  beforeConnect?.(socket);
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

/** Like `connect`, with the requests forwarded for `address` (X-Forwarded-For; the test client is a local proxy). */
export async function connectFrom(url: string, token: string, address: string): Promise<TestSocket> {
  const socket: TestSocket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
    extraHeaders: { 'x-forwarded-for': address },
  });
  openSockets.add(socket);
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

export function closeAllSockets(): void {
  for (const s of openSockets) s.disconnect();
  openSockets.clear();
}

/** Resolves with the next payload of a push (rejects after `ms`). */
export function nextEvent<E extends keyof ServerToClientEvents>(socket: TestSocket, event: E, ms = 5000): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(event)} within ${ms} ms`)), ms);
    socket.once(
      event as never,
      ((payload: Parameters<ServerToClientEvents[E]>[0]) => {
        clearTimeout(timer);
        resolve(payload);
      }) as never,
    );
  });
}
