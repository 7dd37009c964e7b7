import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort } from './spawn';

/**
 * Private backing services for destructive tests (faults, restarts, partitions): a `redis-server`
 * or a `mariadbd` of this test's own on a free port and a temp directory. Never stop, restart or cut
 * the machine's shared MariaDB (3306) or Redis (6379): other suites run on them at the same time.
 *
 * Start one instance per jest file (beforeAll) and `close()` it in afterAll. Measured on the 2-core
 * CI machine: Redis starts in ~50 ms, MariaDB in ~2 s (install-db ~1.5 s + start ~0.3 s).
 */
export interface PrivateService {
  /** `redis://127.0.0.1:<port>` or `mysql://root@127.0.0.1:<port>` (no database: see `createDatabase`). */
  readonly url: string;
  readonly port: number;
  /** Whether the process runs now. */
  readonly running: boolean;
  /** Graceful stop (SIGTERM), resolves when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL, resolves when the process has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port (and, for MariaDB, the same data directory); stops it first if it runs. */
  restart(): Promise<void>;
  /** Starts it again after `stop()`/`kill()` (same port, same data). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
  /** The process's output so far (for failure messages). */
  log(): string;
}

export interface PrivateMariaDb extends PrivateService {
  /** Creates a database on this instance and returns its URL (`mysql://root@127.0.0.1:<port>/<name>`). */
  createDatabase(name?: string): Promise<string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Managed {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private out = '';

  constructor(
    private readonly name: string,
    private readonly command: string,
    private readonly args: () => string[],
    private readonly ready: () => Promise<boolean>,
    private readonly readyMs: number,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  log(): string {
    return this.out;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(this.command, this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (d: Buffer) => {
      this.out = (this.out + d.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        if (this.child === child) this.child = null;
        resolve();
      }),
    );
    const deadline = Date.now() + this.readyMs;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`${this.name} ended while starting:\n${this.out}`);
      if (await this.ready().catch(() => false)) return;
      await sleep(50);
    }
    throw new Error(`${this.name} not ready within ${this.readyMs} ms:\n${this.out}`);
  }

  private async signal(sig: NodeJS.Signals, ms: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = this.exited;
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    await exited;
    clearTimeout(timer);
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM', 20_000);
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL', 5_000);
  }
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { encoding: 'utf8', timeout: 2_000 });
    resolve(r.stdout?.trim() === 'PONG');
  });
}

/** A private `redis-server` (no persistence: a restart loses every key, like a Redis without a volume). */
export async function startRedis(): Promise<PrivateService> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lotse-redis-'));
  const m = new Managed(
    `redis-server :${port}`,
    'redis-server',
    () => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'no'],
    () => redisPing(port),
    30_000,
  );
  await m.start();
  return serviceOf(m, `redis://127.0.0.1:${port}`, port, dir);
}

function serviceOf(m: Managed, url: string, port: number, dir: string): PrivateService {
  return {
    url,
    port,
    get running() {
      return m.running;
    },
    stop: () => m.stop(),
    kill: () => m.kill(),
    start: () => m.start(),
    restart: async () => {
      await m.stop();
      await m.start();
    },
    close: async () => {
      await m.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => m.log(),
  };
}

async function mariaSelect1(port: number): Promise<boolean> {
  const conn = await createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1_000 });
  try {
    await conn.query('SELECT 1');
    return true;
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/**
 * A private `mariadbd` with a fresh data directory (root on 127.0.0.1 without password, as the
 * shared one), small buffers. `restart()` keeps the data (committed rows survive, like a real
 * database restart); `kill()` is a crash (InnoDB recovers on the next start).
 */
export async function startMariaDb(): Promise<PrivateMariaDb> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lotse-mariadb-'));
  const datadir = join(dir, 'data');
  const install = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
  const m = new Managed(
    `mariadbd :${port}`,
    'mariadbd',
    () => [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'sock')}`,
      `--pid-file=${join(dir, 'pid')}`,
      '--user=root',
      '--skip-log-bin',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M',
      '--max-connections=300',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
    ],
    () => mariaSelect1(port),
    60_000,
  );
  await m.start();
  const base = serviceOf(m, `mysql://root@127.0.0.1:${port}`, port, dir);
  return {
    ...base,
    get running() {
      return m.running;
    },
    createDatabase: async (name = `lotse_f_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`) => {
      const conn = await createConnection({ host: '127.0.0.1', port, user: 'root' });
      try {
        await conn.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      } finally {
        await conn.end();
      }
      return `${base.url}/${name}`;
    },
  };
}
