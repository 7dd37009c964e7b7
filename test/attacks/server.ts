import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ROOT } from '../harness/spawn';

/**
 * The one server of the attack suite (started by test/attacks/global-setup.ts, stopped by
 * global-teardown.ts): every attack file reads where it is from test-artifacts/attacks-server.json.
 */
export interface AttackServer {
  url: string;
  dataDir: string;
  logFile: string;
  redisUrl: string | null;
  masterKey: string;
  pid: number;
}

export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const SERVER_FILE = join(ARTIFACTS, 'attacks-server.json');
export const ACTORS_FILE = join(ARTIFACTS, 'attacks-actors.json');
export const SECRETS_FILE = join(ARTIFACTS, 'attacks-secrets.txt');
/** The server's OpenAPI document (`GET /api/docs/openapi.json`), saved by global-setup.ts. */
export const OPENAPI_FILE = join(ARTIFACTS, 'attacks-openapi.json');

/**
 * The attack server's Jitsi (no Jitsi runs: Lotse only signs JWTs for it). The secret is planted by
 * global-setup.ts: it must never appear in the database, the data directory, Redis or the logs.
 */
export const JITSI = {
  JITSI_DOMAIN: 'meet.attacks.example',
  JITSI_APP_ID: 'lotse-attacks',
  JITSI_APP_SECRET: 'attack-suite-jitsi-secret-0123456789abcdef',
} as const;

let cached: AttackServer | null = null;

export function server(): AttackServer {
  if (!cached) {
    if (!existsSync(SERVER_FILE))
      throw new Error(`${SERVER_FILE} is missing: the attack suite runs as jest --selectProjects attacks (its globalSetup starts the server)`);
    cached = JSON.parse(readFileSync(SERVER_FILE, 'utf8')) as AttackServer;
  }
  return cached;
}

/** supertest against the attack server. */
export function http(): ReturnType<typeof request> {
  return request(server().url);
}

/**
 * Records a secret the suite typed (a message, a password, a token, an address): the privacy sweep
 * (test/attacks/privacy-sweep.spec.ts) fails if it appears in the database, the data directory,
 * Redis or the server log. Returns the text, so `body: plant('…')` reads naturally.
 */
export function plant(text: string): string {
  if (text.includes('\n')) throw new Error('plant: one line per secret');
  mkdirSync(ARTIFACTS, { recursive: true });
  appendFileSync(SECRETS_FILE, `${text}\n`);
  return text;
}

/** Every planted secret (for the sweep). */
export function plantedSecrets(): string[] {
  if (!existsSync(SECRETS_FILE)) return [];
  return [
    ...new Set(
      readFileSync(SECRETS_FILE, 'utf8')
        .split('\n')
        .filter((l) => l.length > 0),
    ),
  ];
}

/** A unique marker for a secret text: `secret('message')` → `message-3f9a…` (planted). */
export function secret(label: string): string {
  return plant(`${label}-${randomBytes(8).toString('hex')}`);
}

let addressSeq = 0;
/**
 * A fresh client address for X-Forwarded-For (the server trusts 127.0.0.1 as a proxy): every call a
 * different one, so the per-address limits of one test do not spill into another. Planted when
 * `planted` (default): addresses are personal data and must only ever be stored as an HMAC.
 */
export function address(planted = true): string {
  const n = (process.pid % 200) * 65536 + ++addressSeq * 7 + Math.floor(Math.random() * 5);
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255 || 1}`;
  if (planted) plant(ip);
  return ip;
}
