import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdSerializers, type DestinationStream } from 'pino';
import type { Options, ReqId } from 'pino-http';
import type { AppConfig } from '../config/config';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** A guest's video invitation token is the only key to the room: never in a log line. */
const VIDEO_INVITE = /(\/api\/video-invites\/)[^/?#]+/gi;

/**
 * The path of a request as logged: without the query, every uuid replaced by `:id`. Paths name
 * accounts (`/api/centers/x/clients/<id>`, a counselor's notes about a client): a log line must not
 * outlive the account it names (docs/security.md, the erasure scan). A video invitation token
 * (`/api/video-invites/<token>`) becomes `:token`.
 */
export function loggedPath(url: string | undefined): string {
  return (url ?? '').split('?')[0]!.replace(VIDEO_INVITE, '$1:token').replace(UUID, ':id');
}

let lastRequestId = 0;
/** pino-http's request ids (1, 2, 3, …), shared with the routes answered before its middleware (the live status). */
export function nextRequestId(): number {
  lastRequestId = (lastRequestId + 1) & 0x7fffffff;
  return lastRequestId;
}

/**
 * Structured logs (pino). Requests are logged by method, path (ids masked) and status only: no
 * headers (tokens), no bodies (messages, passwords), no addresses. `stream` replaces stdout (tests).
 */
export function loggerOptions(config: AppConfig, stream?: DestinationStream): Params {
  const options: Options = {
    level: config.logLevel,
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
    genReqId: (req: IncomingMessage & { id?: ReqId }) => req.id ?? nextRequestId(),
    // The serializers take the raw request and response: pino-http's wrapping would first copy
    // every header, the address and the port into a std request object (for each request's child
    // logger, logged or not) only for these three fields to be picked out of it.
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown; originalUrl?: string }) => ({
        id: req.id,
        method: req.method,
        path: loggedPath(req.originalUrl ?? req.url),
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: stdSerializers.err,
    },
    redact: { paths: ['req.headers', 'password', 'token', 'body'], remove: true },
    ...(!stream && process.stdout.isTTY && config.logLevel !== 'silent' ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
  };
  return { pinoHttp: stream ? [options, stream] : options };
}
