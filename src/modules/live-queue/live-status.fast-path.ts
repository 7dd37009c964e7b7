import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { HSTS, PERMISSIONS_POLICY } from '../../common/security-headers';
import type { LiveStatus } from '../../realtime/contract';
import type { LiveQueueService } from './live-queue.service';

/** Only the canonical form of `GET /api/centers/:center/live` (an optional query); every other spelling goes to Express. */
const LIVE_PATH = /^\/api\/centers\/([a-z0-9-]{1,64})\/live(?:\?.*)?$/;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
/** An Express-style middleware, run once at start on a recording response to learn the headers it sets. */
type Middleware = (req: IncomingMessage, res: unknown, next: (err?: unknown) => void) => void;

export interface LiveStatusFastPathOptions {
  /** The helmet middleware the app mounts (the same instance): its headers are recorded once. */
  helmet: Middleware;
  /** The app's `trust proxy` function (TRUSTED_PROXIES): decides whether X-Forwarded-Proto counts. */
  trustProxy: (address: string) => boolean;
  /** The app's ETag function (Express' `etag fn`, weak by default). */
  etag: (body: string, encoding: BufferEncoding) => string | undefined;
}

/**
 * The homepage button's status read (perf-http2, docs/perf-log-perf-http2.md), answered on the http
 * server's `request` event in front of Express: every open homepage polls it, and the middleware
 * chain (body checks, helmet's dozen middlewares, CORS, origin gate, pino-http with its
 * AsyncLocalStorage) cost more than the answer. It answers exactly what the Nest route
 * (`LiveQueueController.status`) answers through that chain, with ONE header set computed at start:
 * helmet's headers (recorded from the app's own helmet instance), Permissions-Policy, HSTS when the
 * request came over TLS (directly or through a trusted proxy, as `req.secure`), the public reads'
 * CORS (`Access-Control-Allow-Origin: *`), Content-Type, Content-Length and the app's ETag, with a
 * 304 to a fresh If-None-Match as Express' `res.send` does. No Cache-Control, as before (the status
 * is re-read within half a second; the ETag/304 is the cache).
 *
 * Everything else goes to Express unchanged: other methods and spellings (HEAD too: it is not a
 * public read for CORS, so its headers differ), a request with a body
 * (the body checks answer 415/413), and every failure of the status read (an unknown or malformed
 * center: Express' route runs the same lookup and answers NOT_FOUND through the HTTP filter, with
 * its access line). A successful status read writes no access line (it wrote one only at level
 * info before; no request metrics exist to count it in). The status is not rate limited (it never
 * was: no limit in RateLimitService names it).
 */
export function installLiveStatusFastPath(server: Server, queue: LiveQueueService, options: LiveStatusFastPathOptions): void {
  const express = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  const fallThrough: Listener = (req, res) => {
    for (const l of express) l.call(server, req, res);
  };
  const plain = headerSet(options, false);
  const secure = headerSet(options, true);
  const encoded = new WeakMap<LiveStatus, Encoded>();
  const encode = (status: LiveStatus): Encoded => {
    const hit = encoded.get(status);
    if (hit) return hit;
    {
      // once per status object (the service hands out one per center and half second)
      const body = JSON.stringify(status);
      const etag = options.etag(body, 'utf8');
      const extra: [string, string][] = [
        ['Content-Type', 'application/json; charset=utf-8'],
        ['Content-Length', String(Buffer.byteLength(body))],
      ];
      if (etag) extra.push(['ETag', etag]);
      const e: Encoded = {
        body,
        etag,
        plain: Object.fromEntries([...plain, ...extra]),
        secure: Object.fromEntries([...secure, ...extra]),
        plain304: withEtag(plain, etag),
        secure304: withEtag(secure, etag),
      };
      encoded.set(status, e);
      return e;
    }
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || hasBody(req)) return fallThrough(req, res);
    const match = LIVE_PATH.exec(req.url ?? '');
    if (!match) return fallThrough(req, res);
    queue.status(match[1]!).then(
      (status) => {
        const e = encode(status);
        const tls = isSecure(req, options.trustProxy);
        if (e.etag !== undefined && isFresh(req, e.etag)) {
          res.writeHead(304, tls ? e.secure304 : e.plain304).end();
          return;
        }
        res.writeHead(200, tls ? e.secure : e.plain).end(e.body);
      },
      () => fallThrough(req, res),
    );
  });
}

type Encoded = {
  body: string;
  etag: string | undefined;
  plain: OutgoingHttpHeaders;
  secure: OutgoingHttpHeaders;
  plain304: OutgoingHttpHeaders;
  secure304: OutgoingHttpHeaders;
};
type HeaderList = [string, string][];

const withEtag = (base: HeaderList, etag: string | undefined): OutgoingHttpHeaders => Object.fromEntries(etag ? [...base, ['ETag', etag]] : base);

/** Helmet's headers (recorded), the app's security headers, and the CORS answer of the public reads. */
function headerSet(options: LiveStatusFastPathOptions, tls: boolean): HeaderList {
  const recorded = new Map<string, [string, string]>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      recorded.set(name.toLowerCase(), [name, Array.isArray(value) ? value.join(', ') : String(value)]);
      return recorder;
    },
    removeHeader(name: string) {
      recorded.delete(name.toLowerCase());
    },
    getHeader(name: string) {
      return recorded.get(name.toLowerCase())?.[1];
    },
  };
  let failed: unknown = null;
  let done = false;
  options.helmet({ method: 'GET', url: '/', headers: {} } as IncomingMessage, recorder, (err?: unknown) => {
    failed = err ?? null;
    done = true;
  });
  if (!done || failed !== null) throw new Error('The live status fast path could not record the helmet headers.');
  const list = [...recorded.values()];
  list.push(['Permissions-Policy', PERMISSIONS_POLICY]);
  if (tls) list.push(['Strict-Transport-Security', HSTS]);
  // CORS of the public reads (src/app.ts: origin '*', no credentials): the same for every request
  list.push(['Access-Control-Allow-Origin', '*']);
  return list;
}

/** As Express' body checks see it: a declared length above zero, or a chunked body. */
const hasBody = (req: IncomingMessage): boolean => Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;

/** Express' `req.secure`: TLS on the socket, or the first X-Forwarded-Proto of a trusted proxy. */
function isSecure(req: IncomingMessage, trust: (address: string) => boolean): boolean {
  const encrypted = (req.socket as TLSSocket).encrypted === true;
  if (!trust(req.socket.remoteAddress ?? '')) return encrypted;
  const header = req.headers['x-forwarded-proto'];
  if (typeof header !== 'string' || header === '') return encrypted;
  const comma = header.indexOf(',');
  return (comma === -1 ? header : header.substring(0, comma)).trim() === 'https';
}

/**
 * Express' `req.fresh` for an answer that has only an ETag (the `fresh` package, 2.0): stale on
 * `Cache-Control: no-cache`; an If-None-Match decides alone (`*` or a weakly matching tag); an
 * If-Modified-Since without it is never fresh (there is no Last-Modified).
 */
function isFresh(req: IncomingMessage, etag: string): boolean {
  const noneMatch = req.headers['if-none-match'];
  if (!noneMatch) return false;
  const cacheControl = req.headers['cache-control'];
  if (cacheControl && /(?:^|,)\s*?no-cache\s*?(?:,|$)/.test(cacheControl)) return false;
  if (noneMatch === '*') return true;
  for (const t of noneMatch.split(/[ ,]+/)) if (t !== '' && (t === etag || t === `W/${etag}` || `W/${t}` === etag)) return true;
  return false;
}
