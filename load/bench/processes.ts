// Starting and stopping the processes of a run (Lotse nodes, the bare baselines, the CLI); every
// process started here is stopped by stopAll(). Servers run through `sh -c 'ulimit -n …; exec node …'`
// so that 10,000 sockets fit under their open-files limit (exec keeps the pid: /proc/<pid> is node's).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_CLI, DIST_MAIN, freePort, Spawned, spawnNode } from '../../test/harness/spawn';
import { ULIMIT_SH } from './generators';
import { LOAD, OUT, ROOT } from './settings';

const running = new Set<Spawned>();

/** A process this run started: removed from the registry and its output written to `logFile` when it ends. */
export function track(proc: Spawned, logFile?: string): Spawned {
  running.add(proc);
  void proc.exited.then(() => {
    running.delete(proc);
    if (logFile) writeFileSync(logFile, proc.stdout() + proc.stderr());
  });
  return proc;
}

/** Stops every process still running (SIGTERM, SIGKILL after 10 s). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop()));
}

/** On a signal or a crash: no waiting, just SIGTERM to every process. */
export function killAll(): void {
  for (const proc of running) proc.child.kill('SIGTERM');
}

/** `node <script> …args` with exactly `env` (plus PATH), its open-files limit raised first. */
function spawnLimited(script: string, args: string[], env: Record<string, string>): Spawned {
  const child = spawn('/bin/sh', ['-c', ULIMIT_SH, process.execPath, script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let [out, err, ended] = ['', '', false];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout.on('data', (d: Buffer) => ((out += d.toString()), notify()));
  child.stderr.on('data', (d: Buffer) => ((err += d.toString()), notify()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => ((ended = true), notify()));
  const waitFor = (pattern: RegExp, ms = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const done = (fn: () => void) => (clearTimeout(timer), waiters.delete(check), fn());
      const check = () => {
        if (pattern.test(out + err)) done(resolve);
        else if (ended) done(() => reject(new Error(`process ended before ${String(pattern)}:\n${out}\n${err}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${String(pattern)} within ${ms} ms:\n${out}\n${err}`))), ms);
      waiters.add(check);
      check();
    });
  const stop = async () => {
    if (ended) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, stdout: () => out, stderr: () => err, waitFor, exited, stop };
}

/** A server process a run measures. */
export interface Server {
  name: string;
  url: string;
  pid: number;
  proc: Spawned;
}

export const isAlive = (server: Server): boolean => server.proc.child.exitCode === null && server.proc.child.signalCode === null;

/** The last lines of a server's output, indented, for a report of its death. */
export const lastLines = (server: Server, n = 12): string =>
  (server.proc.stdout() + server.proc.stderr())
    .trim()
    .split('\n')
    .slice(-n)
    .map((l) => `    ${l}`)
    .join('\n');

async function startServer(name: string, script: string, args: string[], env: Record<string, string>, ready: RegExp, port: number): Promise<Server> {
  const proc = track(spawnLimited(script, args, env), join(OUT, `${name}.log`));
  await proc.waitFor(ready, 90_000);
  if (proc.child.pid === undefined) throw new Error(`${name} has no pid`);
  return { name, url: `http://127.0.0.1:${port}`, pid: proc.child.pid, proc };
}

/** The bare Socket.IO relay (load/baseline/bare-server.mjs) on a free port; with `redis` one node of a bare cluster on the Redis adapter. */
export async function startBaseline(name: string, redis?: { url: string; key: string }): Promise<Server> {
  const port = await freePort();
  const args = [String(port), ...(redis ? ['--redis', redis.url, '--key', redis.key] : [])];
  return startServer(name, join(LOAD, 'baseline', 'bare-server.mjs'), args, { NODE_PATH: join(ROOT, 'node_modules') }, /listens on port/, port);
}

/** `node dist/main.js` on a free port with `env` (PORT and PUBLIC_URL added). */
export async function startLotse(env: Record<string, string>, name: string): Promise<Server> {
  const port = await freePort();
  return startServer(name, DIST_MAIN, [], { ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` }, /Lotse listens on/, port);
}

/** `node dist/cli.js …args` to completion; its output, or an error with it. */
export async function runCli(args: string[], env: Record<string, string>): Promise<string> {
  const proc = track(spawnNode(DIST_CLI, args, env));
  const code = await proc.exited;
  if (code !== 0) throw new Error(`node dist/cli.js ${args.join(' ')} failed (${code}):\n${proc.stdout()}${proc.stderr()}`);
  return proc.stdout();
}
