import { existsSync, readFileSync, rmSync } from 'node:fs';
import { type AttackServer, SERVER_FILE } from './server';

/** Stops the attack server (SIGTERM, SIGKILL after 10 s) and removes its data directory (the log stays in test-artifacts/). */
export default async function globalTeardown(): Promise<void> {
  if (!existsSync(SERVER_FILE)) return;
  const info = JSON.parse(readFileSync(SERVER_FILE, 'utf8')) as AttackServer;
  const alive = () => {
    try {
      process.kill(info.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) {
    process.kill(info.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive()) process.kill(info.pid, 'SIGKILL');
  }
  if (process.env.LOTSE_ATTACKS_KEEP !== 'on') rmSync(info.dataDir, { recursive: true, force: true });
}
