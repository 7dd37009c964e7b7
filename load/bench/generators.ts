// The parent side of the load generators: `count` processes forked from generator.js (through
// `sh -c 'ulimit -n …; exec node …'`, so that 10,000 sockets fit), each asked for its share of a task.
import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { Task } from './generator';

/** Raises the soft open-files limit as far as allowed (65536, or the hard limit), then runs node. */
export const ULIMIT_SH = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"';

export interface Generators {
  count: number;
  pids: number[];
  /** Sends each generator its own task (`task(i)`), resolves with every answer in order. */
  all: <R>(task: (i: number) => Task) => Promise<R[]>;
  stop: () => Promise<void>;
}

/** The i-th share of `items` when split over `n` owners (round robin). */
export const share = <T>(items: readonly T[], i: number, n: number): T[] => items.filter((_, k) => k % n === i);

export async function startGenerators(count: number): Promise<Generators> {
  const children: ChildProcess[] = [];
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  for (let i = 0; i < count; i++) {
    const child = fork(join(__dirname, 'generator.js'), [], {
      execPath: '/bin/sh',
      execArgv: ['-c', ULIMIT_SH, process.execPath],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`generator ${i + 1}: ${m.error}`));
    });
    child.on('exit', (code) => {
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error(`generator ${i + 1} exited (${code})`));
      }
    });
    children.push(child);
  }
  await Promise.all(
    children.map((c) => new Promise<void>((resolve, reject) => (c.connected ? resolve() : c.once('spawn', () => resolve()).once('error', reject)))),
  );
  const ask = (child: ChildProcess, task: Task) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, task });
    });
  return {
    count,
    pids: children.map((c) => c.pid as number),
    all: async <R>(task: (i: number) => Task) => (await Promise.all(children.map((c, i) => ask(c, task(i))))) as R[],
    stop: async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
              setTimeout(() => c.kill('SIGKILL'), 5000).unref();
            }),
        ),
      );
    },
  };
}
