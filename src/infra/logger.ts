import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../config/config';

/**
 * Structured logs (pino). Requests are logged by method, path and status only: no headers (tokens),
 * no bodies (messages, passwords), no addresses. `stream` replaces stdout (tests).
 */
export function loggerOptions(config: AppConfig, stream?: DestinationStream): Params {
  const options: Options = {
    level: config.logLevel,
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    redact: { paths: ['req.headers', 'password', 'token', 'body'], remove: true },
    ...(!stream && process.stdout.isTTY && config.logLevel !== 'silent' ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  };
  return { pinoHttp: stream ? [options, stream] : options };
}
