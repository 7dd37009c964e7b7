// Starting and stopping the processes of a run (Lotse nodes, the bare baseline, the CLI, artillery),
// on the test harness's process helpers; every process started here is stopped by stopAll().
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_CLI, DIST_MAIN, freePort, Spawned, spawnNode } from '../../test/harness/spawn';
import { LOAD, OUT } from './settings';

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
  for (const proc of [...running]) await proc.stop();
}

/** On a signal or a crash: no waiting, just SIGTERM to every process. */
export function killAll(): void {
  for (const proc of running) proc.child.kill('SIGTERM');
}

/** A server process one scenario runs against. */
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
  const proc = track(spawnNode(script, args, env), join(OUT, `${name}.log`));
  await proc.waitFor(ready, 60_000);
  if (proc.child.pid === undefined) throw new Error(`${name} has no pid`);
  return { name, url: `http://127.0.0.1:${port}`, pid: proc.child.pid, proc };
}

/** The bare Socket.IO relay (load/baseline/bare-server.mjs) on a free port; logs to test-artifacts/bench/<name>.log. */
export async function startBaseline(name = 'baseline'): Promise<Server> {
  const port = await freePort();
  return startServer(name, join(LOAD, 'baseline', 'bare-server.mjs'), [String(port)], {}, /listens on port/, port);
}

/** `node dist/main.js` on a free port with `env` (PORT and PUBLIC_URL added). */
export async function startLotse(env: Record<string, string>, name = 'lotse'): Promise<Server> {
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
