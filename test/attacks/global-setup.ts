import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { REDIS_URL } from '../harness/env';
import { DIST_MAIN, freePort, requireBuild, ROOT } from '../harness/spawn';
import { PASSWORD, seedActors } from './actors';
import { ACTORS_FILE, ARTIFACTS, type AttackServer, JITSI, OPENAPI_FILE, SECRETS_FILE, SERVER_FILE } from './server';

/**
 * One `node dist/main.js` for the whole attack suite: SQLite in a temp DATA_DIR, the shared Redis
 * (REDIS_URL, required under CI; LOTSE_ATTACKS_REDIS=off runs without), a random MASTER_KEY, the
 * browser client served, rate limits on, 127.0.0.1 trusted as a proxy (so tests rotate addresses
 * with X-Forwarded-For), Jitsi configured (JITSI, so video rooms are checked for real; the 503 path of
 * an installation without video is test/e2e/video-not-configured.spec.ts), logs at info appended to
 * a file the privacy sweep greps.
 */
export default async function globalSetup(): Promise<void> {
  requireBuild();
  const started = Date.now();
  mkdirSync(ARTIFACTS, { recursive: true });
  rmSync(SECRETS_FILE, { force: true });
  rmSync(ACTORS_FILE, { force: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'lotse-attacks-'));
  const logFile = join(ARTIFACTS, 'attacks-server.log');
  writeFileSync(logFile, '');
  const masterKey = randomBytes(32).toString('base64');
  const redisUrl = process.env.LOTSE_ATTACKS_REDIS === 'off' ? null : REDIS_URL;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    MASTER_KEY: masterKey,
    DEMO: 'off',
    CLIENT: 'on',
    LOG_LEVEL: process.env.LOTSE_ATTACKS_LOG_LEVEL ?? 'info',
    RATE_LIMITS: 'on',
    TRUSTED_PROXIES: '127.0.0.1/32',
    ...JITSI,
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  };
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [DIST_MAIN], { cwd: ROOT, env, stdio: ['ignore', fd, fd], detached: false });
  closeSync(fd);
  child.unref();
  const info: AttackServer = { url, dataDir, logFile, redisUrl, masterKey, pid: child.pid! };
  writeFileSync(SERVER_FILE, JSON.stringify(info, null, 2));
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + 60_000;
  while (!/Lotse listens/.test(readFileSync(logFile, 'utf8'))) {
    if (exited !== undefined) throw new Error(`the attack server ended (${String(exited)}) before it listened:\n${readFileSync(logFile, 'utf8')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the attack server did not listen within 60 s:\n${readFileSync(logFile, 'utf8')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // The planted secrets start with what the setup itself knows: the master key and the actors' password.
  writeFileSync(SECRETS_FILE, `${masterKey}\n${PASSWORD}\n${JITSI.JITSI_APP_SECRET}\n`);
  try {
    // The route list of the access matrix, read synchronously by the spec files when jest collects them.
    const doc = await fetch(`${url}/api/docs/openapi.json`);
    if (!doc.ok) throw new Error(`GET /api/docs/openapi.json answered ${doc.status}`);
    writeFileSync(OPENAPI_FILE, await doc.text());
    const actors = await seedActors(info);
    writeFileSync(ACTORS_FILE, JSON.stringify(actors, null, 2));
  } catch (err) {
    // jest runs no teardown after a failed setup: stop the server here
    child.kill('SIGKILL');
    throw err;
  }
  process.stdout.write(`\nattack server ${url} (pid ${info.pid}, data ${dataDir}, log ${logFile}) ready in ${Date.now() - started} ms\n`);
}
