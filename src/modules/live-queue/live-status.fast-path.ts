import type { NextFunction, Request, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { PinoLogger } from 'nestjs-pino';
import { sendErrorBody } from '../../common/http-exception.filter';
import { nextRequestId } from '../../infra/logger';
import { LiveQueueService } from './live-queue.service';
import type { LiveStatus } from '../../realtime/contract';

/** Only the canonical form of `GET /api/centers/:center/live` (an optional query); every other spelling goes to the router. */
const LIVE_PATH = /^\/api\/centers\/([a-z0-9-]{1,64})\/live(?:\?.*)?$/;

/**
 * The homepage button's status read, answered before Express' router and Nest's pipeline (perf-http,
 * docs/perf-log-perf-http.md): every open homepage polls it, and the router walk over ~150 routes,
 * the guard/interceptor/pipe chain and pino-http cost ~15× the answer itself. The same answer
 * as `LiveQueueController.status`: mounted after the body checks, helmet, the security headers,
 * CORS and the origin gate (src/app.ts), so those headers are the ones every route gets; the body
 * is the service's cached `{ open, full, waiting }` through Express' `res.json` (Content-Type,
 * Content-Length, the weak ETag and its 304 as before); errors go through the HTTP filter's own
 * mapping (`sendErrorBody`: NOT_FOUND for an unknown center). The status is not rate limited (it
 * never was: no limit in RateLimitService names it). The access log line is pino-http's
 * (`request completed`, the same serializers and request ids), written only at level info or
 * below. A HEAD, a trailing slash, upper case or an encoded slug take the Nest route as before.
 */
export function liveStatusFastPath(queue: LiveQueueService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET') return next();
    const match = LIVE_PATH.exec(req.url);
    if (!match) return next();
    const log = PinoLogger.root;
    if (log?.isLevelEnabled('info')) {
      const started = performance.now();
      (req as Request & { id?: unknown }).id ??= nextRequestId();
      res.once('finish', () => log.info({ req, res, responseTime: Math.round(performance.now() - started) }, 'request completed'));
    }
    queue.status(match[1]!).then(
      (status) => answer(req, res, status),
      (err: unknown) => sendErrorBody(res, err),
    );
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';
type Encoded = { body: string; length: number; etag: string | undefined };
/** The service hands out one status object per center and half second: encoded (JSON, ETag) once. */
const encoded = new WeakMap<LiveStatus, Encoded>();

/**
 * What `res.json(status)` sends (Express 5 `res.send`): the JSON, its Content-Type with charset,
 * Content-Length, the ETag of the app's `etag fn` (weak by default), 304 without a body when the
 * request's If-None-Match is fresh. The JSON and ETag are computed once per status object, and the
 * body goes out as a string (one socket write with the head: `res.send` turns it into a Buffer
 * for the ETag, which costs a second write).
 */
function answer(req: Request, res: Response, status: LiveStatus): void {
  let e = encoded.get(status);
  if (!e) {
    const body = JSON.stringify(status);
    const etagFn = req.app.get('etag fn') as ((body: string, encoding: BufferEncoding) => string | undefined) | undefined;
    e = { body, length: Buffer.byteLength(body), etag: typeof etagFn === 'function' ? etagFn(body, 'utf8') : undefined };
    encoded.set(status, e);
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', e.length);
  if (e.etag) res.setHeader('ETag', e.etag);
  if (req.fresh) {
    res.statusCode = 304;
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.end();
    return;
  }
  res.end(e.body);
}
