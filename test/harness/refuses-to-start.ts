// Jest-only (uses expect): kept out of spawn.ts, which the bench (load/bench) compiles without jest's types.
import { DIST_MAIN, freePort, spawnNode } from './spawn';

/** A server process (node dist/main.js) started with this environment must refuse to start, naming the reason. */
export async function refusesToStart(env: Record<string, string>, reason: string): Promise<void> {
  const p = spawnNode(DIST_MAIN, [], { PORT: String(await freePort()), DEMO: 'off', CLIENT: 'off', ...env });
  const code = await Promise.race([p.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 60_000))]);
  if (code === 'running') await p.stop();
  expect(p.stdout() + p.stderr()).toContain(reason);
  expect(code).not.toBe(0);
  expect(code).not.toBe('running');
}
