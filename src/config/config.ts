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
}

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
  };
}

/** DI token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
