import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, validateSync } from 'class-validator';
import { Type } from 'class-transformer';
import { resolve } from 'node:path';
import { proxyEntryProblem } from './proxy-entry';

/**
 * The environment, validated once at boot. This is the only code that reads `process.env`
 * (tests pass their own record). Every variable is documented in README.md.
 */
class EnvSchema {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @Matches(/^mysql:\/\/[^\s]+$/, { message: 'must be a mysql://user:password@host:port/database URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+$/, { message: 'must be an origin like https://chat.example.org (no path)' })
  PUBLIC_URL?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 random bytes in base64 (openssl rand -base64 32)' })
  MASTER_KEY?: string;

  @IsOptional()
  @IsIn(['on', 'off'])
  RATE_LIMITS?: 'on' | 'off';

  @IsOptional()
  @IsIn(['on', 'off'])
  DEMO?: 'on' | 'off';

  @IsOptional()
  @IsString()
  @MinLength(8)
  @MaxLength(72)
  DEMO_PASSWORD?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_DIR?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional()
  @IsString()
  @MaxLength(254)
  MAIL_FROM?: string;

  @IsOptional()
  @IsIn(['on', 'off'])
  MAIL?: 'on' | 'off';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @Matches(/^(https?:\/\/[^\s,/]+)(,https?:\/\/[^\s,/]+)*$/, { message: 'must be a comma-separated list of origins' })
  ALLOWED_ORIGINS?: string;

  @IsOptional()
  @IsIn(['on', 'off'])
  CLIENT?: 'on' | 'off';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  SOCKET_EVENT_LIMIT?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  MESSAGE_RATE_LIMIT?: number;

  @IsOptional()
  @IsString()
  @MaxLength(4000)
  TRUSTED_PROXIES?: string;

  @IsOptional()
  @Matches(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$/i, {
    message: 'must be the host name of the Jitsi server, like meet.example.org (no https://, no path)',
  })
  JITSI_DOMAIN?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,128}$/, { message: 'must be the JWT app id of the Jitsi server (letters, digits, _ . -)' })
  JITSI_APP_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JITSI_APP_SECRET must have at least 32 characters (openssl rand -hex 32)' })
  @MaxLength(512)
  JITSI_APP_SECRET?: string;

  /** During a master-key rotation (docs/operator-tools): the key MASTER_KEY replaces; data keys wrapped by it still open. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 random bytes in base64 (the MASTER_KEY before the rotation)' })
  MASTER_KEY_PREVIOUS?: string;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{32,512}$/, { message: 'must be at least 32 printable characters without spaces (openssl rand -hex 32)' })
  METRICS_TOKEN?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  @IsOptional()
  @Matches(/^[0-9a-f.:]{2,45}$/i, { message: 'must be an IP address to listen on, like 127.0.0.1 or 0.0.0.0' })
  METRICS_HOST?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(64 * 1024)
  @Max(256 * 1024 * 1024)
  SOCKET_SEND_BUFFER_BYTES?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(15)
  PASSWORD_HASH_COST?: number;
}

/** bcrypt's cost for new password hashes unless PASSWORD_HASH_COST says otherwise (about 250 ms on one core). */
export const BCRYPT_COST = 12;

const JITSI_VARS = ['JITSI_DOMAIN', 'JITSI_APP_ID', 'JITSI_APP_SECRET'] as const;

export interface AppConfig {
  port: number;
  database: { kind: 'sqlite'; file: string } | { kind: 'mysql'; url: string };
  redisUrl: string | null;
  publicUrl: string;
  /** Origins allowed to open sockets and call the API from a browser (PUBLIC_URL included). */
  allowedOrigins: string[];
  masterKey: string | null;
  rateLimits: boolean;
  demo: boolean;
  demoPassword: string | null;
  dataDir: string;
  smtpUrl: string | null;
  mailFrom: string;
  /** MAIL=off: the installation sends no mail (staff get a generated password instead of an invitation). */
  mail: boolean;
  logLevel: string;
  /** Serve the built browser client from dist/client. */
  serveClient: boolean;
  /** Events one socket may send per 10 seconds (not lifted by RATE_LIMITS=off). */
  socketEventLimit: number;
  /** Messages one account or visitor may send per 10 seconds, over all its sockets. */
  messageRateLimit: number;
  /** Proxies (IPs, CIDRs) whose X-Forwarded-For is believed, for REST and Socket.IO; none by default. */
  trustedProxies: string[];
  /** The self-hosted Jitsi that video rooms use (JWT auth, HS256); null: video is off (503 VIDEO_NOT_CONFIGURED). */
  jitsi: JitsiConfig | null;
  /** MASTER_KEY_PREVIOUS: during a rotation, the old master key (data keys it wrapped still open; new ones are wrapped by masterKey). */
  masterKeyPrevious: string | null;
  /** Bytes one socket may have queued for sending before it is disconnected (a client that stopped reading). */
  socketSendBufferBytes: number;
  /** /metrics (Prometheus): closed unless a token (Bearer, on the main port) or a port of its own is set. */
  metrics: MetricsConfig;
  /** bcrypt's cost for new password hashes (PASSWORD_HASH_COST, 10–15, default 12); stored hashes keep the cost they were made with. */
  passwordHashCost: number;
}

export interface MetricsConfig {
  /** METRICS_TOKEN: `GET /metrics` on the main port with `Authorization: Bearer <token>`; null: 404 there. */
  token: string | null;
  /** METRICS_PORT: a separate listener that serves only /metrics (the token too, when set). */
  port: number | null;
  /** METRICS_HOST: where that listener binds (default 127.0.0.1: reachable from this machine only). */
  host: string;
}

export interface JitsiConfig {
  /** Host name (and port) of the Jitsi web server: rooms are `https://<domain>/<room>`. */
  domain: string;
  /** The JWT `iss` (docker-jitsi-meet's JWT_APP_ID). */
  appId: string;
  /** The HS256 secret (docker-jitsi-meet's JWT_APP_SECRET). */
  appSecret: string;
}

export class ConfigError extends Error {}

/** Parses and validates an environment record; throws a ConfigError with one readable line. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = plainToInstance(EnvSchema, raw, { enableImplicitConversion: false });
  const problems = validateSync(parsed, { whitelist: false, forbidUnknownValues: false });
  if (problems.length > 0) {
    const first = problems[0]!;
    // Decorators register bottom-up, so the last failed constraint is the top-most one: the type
    // check ("must be an integer") rather than a range that NaN also fails.
    const why = Object.values(first.constraints ?? {}).at(-1) ?? 'is invalid';
    const clean = why.startsWith(first.property) ? why.slice(first.property.length).trim() : why;
    throw new ConfigError(`Configuration error: ${first.property} ${clean}`);
  }
  const trustedProxies = (parsed.TRUSTED_PROXIES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const badProxy = trustedProxies.map(proxyEntryProblem).find((p) => p !== null);
  if (badProxy) throw new ConfigError(`Configuration error: TRUSTED_PROXIES ${badProxy} (a comma-separated list of IPs or CIDRs)`);
  const jitsiSet = JITSI_VARS.filter((k) => parsed[k] !== undefined);
  if (jitsiSet.length > 0 && jitsiSet.length < JITSI_VARS.length) {
    const missing = JITSI_VARS.filter((k) => parsed[k] === undefined);
    throw new ConfigError(`Configuration error: video needs all of ${JITSI_VARS.join(', ')} or none; missing ${missing.join(', ')}`);
  }
  if (parsed.MASTER_KEY_PREVIOUS && !parsed.MASTER_KEY)
    throw new ConfigError('Configuration error: MASTER_KEY_PREVIOUS needs MASTER_KEY (the new key of the rotation)');
  if (parsed.MASTER_KEY_PREVIOUS && parsed.MASTER_KEY_PREVIOUS === parsed.MASTER_KEY)
    throw new ConfigError('Configuration error: MASTER_KEY_PREVIOUS must differ from MASTER_KEY');
  const port = parsed.PORT ?? 3000;
  const dataDir = resolve(parsed.DATA_DIR ?? './data');
  const publicUrl = parsed.PUBLIC_URL ?? `http://localhost:${port}`;
  const extra = parsed.ALLOWED_ORIGINS ? parsed.ALLOWED_ORIGINS.split(',') : [];
  return {
    port,
    database: parsed.DATABASE_URL ? { kind: 'mysql', url: parsed.DATABASE_URL } : { kind: 'sqlite', file: resolve(dataDir, 'lotse.sqlite') },
    redisUrl: parsed.REDIS_URL ?? null,
    publicUrl,
    allowedOrigins: [...new Set([publicUrl, ...extra])],
    masterKey: parsed.MASTER_KEY ?? null,
    rateLimits: parsed.RATE_LIMITS !== 'off',
    demo: parsed.DEMO !== 'off',
    demoPassword: parsed.DEMO_PASSWORD ?? null,
    dataDir,
    smtpUrl: parsed.SMTP_URL ?? null,
    mailFrom: parsed.MAIL_FROM ?? 'Lotse <no-reply@lotse.invalid>',
    mail: parsed.MAIL !== 'off',
    logLevel: parsed.LOG_LEVEL ?? 'info',
    serveClient: parsed.CLIENT !== 'off',
    socketEventLimit: parsed.SOCKET_EVENT_LIMIT ?? 100,
    messageRateLimit: parsed.MESSAGE_RATE_LIMIT ?? 50,
    trustedProxies,
    jitsi:
      parsed.JITSI_DOMAIN && parsed.JITSI_APP_ID && parsed.JITSI_APP_SECRET
        ? { domain: parsed.JITSI_DOMAIN.toLowerCase(), appId: parsed.JITSI_APP_ID, appSecret: parsed.JITSI_APP_SECRET }
        : null,
    masterKeyPrevious: parsed.MASTER_KEY_PREVIOUS ?? null,
    metrics: { token: parsed.METRICS_TOKEN ?? null, port: parsed.METRICS_PORT ?? null, host: parsed.METRICS_HOST ?? '127.0.0.1' },
    socketSendBufferBytes: parsed.SOCKET_SEND_BUFFER_BYTES ?? 4 * 1024 * 1024,
    passwordHashCost: parsed.PASSWORD_HASH_COST ?? BCRYPT_COST,
  };
}

/** DI token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
