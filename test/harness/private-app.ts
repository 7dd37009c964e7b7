import { closeAllSockets, startApp, TestApp } from './app';
import { PrivateMariaDb, PrivateService, startMariaDb, startRedis } from './services';

/**
 * An app on private backing services (test/harness/services.ts) that the test may stop, kill and
 * start again: its own `mariadbd` (a fresh database on it) and/or its own `redis-server`; the
 * other one is the usual (a database of the shared MariaDB or SQLite, no Redis). With the probes
 * such a test polls while a service is away.
 */
export interface PrivateApp {
  t: TestApp;
  /** The private MariaDB and the URL of the app's database on it (`mariadb: true`). */
  mariadb?: PrivateMariaDb;
  databaseUrl?: string;
  /** The private Redis (`redis: true`). */
  redis?: PrivateService;
  /** GET a health route: `{ status, body }`. */
  health: (path: string) => Promise<{ status: number; body: Record<string, string> }>;
  /** Polls `probe` every 200 ms until `done` holds; throws with the last value after `ms`. */
  until: <T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, ms?: number) => Promise<T>;
  close: () => Promise<void>;
}

export async function startPrivateApp(options: { mariadb?: boolean; redis?: boolean; env?: Record<string, string> }): Promise<PrivateApp> {
  const mariadb = options.mariadb ? await startMariaDb() : undefined;
  const databaseUrl = mariadb ? await mariadb.createDatabase() : undefined;
  const redis = options.redis ? await startRedis() : undefined;
  const t = await startApp({
    databaseUrl,
    redis: Boolean(redis),
    env: { ...(redis ? { REDIS_URL: redis.url } : {}), ...options.env },
  });
  return {
    t,
    mariadb,
    databaseUrl,
    redis,
    health: async (path) => {
      const res = await t.http().get(path);
      return { status: res.status, body: res.body as Record<string, string> };
    },
    until: async (what, probe, done, ms = 30_000) => {
      const deadline = Date.now() + ms;
      let last = await probe();
      while (!done(last)) {
        if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms; last: ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 200));
        last = await probe();
      }
      return last;
    },
    close: async () => {
      closeAllSockets();
      await t.close();
      await t.dropDb();
      await mariadb?.close();
      await redis?.close();
    },
  };
}
