import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HASH_COST_ENV } from './env';

/** The repository: the nearest folder above this file with a package.json (test/harness/ here, dist-bench/test/harness/ when the bench runs it compiled). */
export const ROOT = repositoryRoot(__dirname);
function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
export const DIST_MAIN = join(ROOT, 'dist', 'main.js');
export const DIST_CLI = join(ROOT, 'dist', 'cli.js');

/** Spawned tests run the built server: `npm run build:server` (npm test builds first). */
export function requireBuild(): void {
  if (!existsSync(DIST_MAIN) || !existsSync(DIST_CLI)) throw new Error('dist/main.js is missing: run `npm run build:server` first.');
}

/**
 * A port on 127.0.0.1 that was free a moment ago: for a spawned server, or a test that must know its
 * origin before the app listens (browser tests). The one `freePort` of the harness (test/harness/app.ts re-exports it).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the output (stdout + stderr) matches, rejects when the process ends first. */
  waitFor: (pattern: RegExp, ms?: number) => Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

/** Runs `node <script> …args` with exactly the given environment (plus PATH and the tests' bcrypt cost), in the repository (or `cwd`). */
export function spawnNode(script: string, args: string[], env: Record<string, string>, cwd = ROOT): Spawned {
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...HASH_COST_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    notify();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    notify();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => {
    ended = true;
    notify();
  });
  const waitFor = (pattern: RegExp, ms = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(out + err)) done(resolve);
        else if (ended) done(() => reject(new Error(`process ended before ${String(pattern)}:\n${out}\n${err}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${String(pattern)} within ${ms} ms:\n${out}\n${err}`))), ms);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });
  const stop = async () => {
    if (!ended) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return { child, stdout: () => out, stderr: () => err, waitFor, exited, stop };
}

/** A spawned `node dist/main.js`: its origin and its process. */
export interface NodeProcess {
  url: string;
  port: number;
  proc: Spawned;
}

/**
 * Starts `count` server processes at once (`node dist/main.js`), each on its own free port with its
 * own data directory and otherwise exactly `env`; resolves when every one listens. The cluster tests'
 * nodes share the database and Redis named in `env`.
 */
export async function startNodes(count: number, env: Record<string, string>, ms = 60_000): Promise<NodeProcess[]> {
  requireBuild();
  return Promise.all(
    Array.from({ length: count }, async () => {
      const port = await freePort();
      const proc = spawnNode(DIST_MAIN, [], { ...env, PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'lotse-node-')) });
      try {
        await proc.waitFor(/Lotse listens/, ms);
      } catch (err) {
        await proc.stop();
        throw err;
      }
      return { url: `http://127.0.0.1:${port}`, port, proc };
    }),
  );
}
