import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

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

/** A port that was free a moment ago (the spawned server binds it). */
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

/** Runs `node <script> …args` with exactly the given environment (plus PATH), in the repository (or `cwd`). */
export function spawnNode(script: string, args: string[], env: Record<string, string>, cwd = ROOT): Spawned {
  const child = spawn(process.execPath, [script, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
