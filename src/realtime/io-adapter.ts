import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { from, isObservable, mergeAll, Observable, of } from 'rxjs';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { compileProxyTrust, forwardedAddress } from '../common/client-address';
import type { AppConfig } from '../config/config';
import { RedisService } from '../infra/redis/redis.service';
import { DrainService } from './drain.service';
import { LeanCommands } from './lean-commands';
import { SOCKET_AUTHENTICATOR, SocketAuthenticator } from './socket-authenticator';
import { LotseSocket } from './ws';

export const MAX_SOCKET_PAYLOAD = 64 * 1024;
/** How long the handshake's token lookup may take before the client is answered INTERNAL (tests shorten it). */
export const socketAuth = { timeoutMs: 10_000 };

/** A socket's command handlers (Nest binds each gateway's handlers to the socket), by command name. */
const HANDLERS = Symbol('lotse.commandHandlers');
/** The app's lean commands (LeanCommands), on each socket: the listeners are shared by every app of the process. */
const LEAN = Symbol('lotse.leanCommands');
type BoundHandler = (data: unknown, ack?: unknown) => unknown;
interface HandlerTable {
  [HANDLERS]?: Map<string, BoundHandler>;
  [LEAN]?: LeanCommands | null;
}

/**
 * One listener function per command for the whole server (not one rxjs chain per command per
 * socket, as Nest's IoAdapter builds): socket.io calls it with the socket as `this`, after the
 * socket's middlewares (`socket.use`: limits, depth check, drain tracking) ran. What it does per
 * event is what Nest's `bindMessageHandlers` does: split off the ack, run the handler (guards,
 * pipes, interceptors and filters are inside the callback), ack every non-nil result.
 */
const dispatchers = new Map<string, (this: HandlerTable, ...args: unknown[]) => void>();
function dispatcherFor(message: string, ackHandledManually: boolean, logger: Logger): (this: HandlerTable, ...args: unknown[]) => void {
  const key = `${ackHandledManually ? 1 : 0}:${message}`;
  let dispatch = dispatchers.get(key);
  if (dispatch) return dispatch;
  dispatch = function (this: HandlerTable, ...args: unknown[]): void {
    const callback = this[HANDLERS]?.get(message);
    if (!callback) return;
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (response: unknown) => void) : undefined;
    const rest = ack ? args.slice(0, -1) : args;
    // Nest's mapPayload: one argument is the data itself, several are passed as an array
    const data = rest.length === 1 ? rest[0] : rest.length === 0 ? undefined : rest;
    // message.send: straight to its handler when the payload is valid as it stands (LeanCommands)
    if (!ackHandledManually && this[LEAN]?.dispatch(message, this as unknown as LotseSocket, data, ack)) return;
    settle(callback(data, ack)).subscribe({
      next: (response) => {
        if (response === null || response === undefined) return;
        const event = (response as { event?: unknown }).event;
        if (event) {
          (this as unknown as { emit(event: unknown, data: unknown): void }).emit(event, (response as { data?: unknown }).data);
          return;
        }
        if (!ackHandledManually && ack) ack(response);
      },
      error: (err: Error) => logger.error({ err: err?.message, command: message }, 'command handler failed'),
    });
  };
  dispatchers.set(key, dispatch);
  return dispatch;
}

/** Nest's pickResult: a handler may answer a value, a promise or an observable (each value acked). */
function settle(result: unknown): Observable<unknown> {
  return from(
    (async () => {
      const value: unknown = await result;
      return isObservable(value) ? value : value instanceof Promise ? from(value as Promise<unknown>) : of(value);
    })(),
  ).pipe(mergeAll());
}

/**
 * Socket.IO server setup: origin allow-list on the handshake, payload limit, authentication in
 * `io.use()` from `handshake.auth.token` (never a query string), and the Redis adapter when
 * REDIS_URL is set. Connection-state recovery is off: clients repair through `room.history`.
 */
export class LotseIoAdapter extends IoAdapter {
  private readonly logger = new Logger('Realtime');

  constructor(
    private readonly appRef: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(appRef);
  }

  /**
   * Nest's IoAdapter subscribes one rxjs pipeline (fromEvent, mergeMap, takeUntil and their
   * subscribers) per command per socket: about 17 commands × every socket, most of an idle socket's
   * memory. Here a socket holds only a map of its bound handlers; the listener is shared.
   */
  override bindMessageHandlers(client: Parameters<IoAdapter['bindMessageHandlers']>[0], handlers: MessageMappingProperties[]): void {
    const socket = client as unknown as HandlerTable & Socket;
    let table = socket[HANDLERS];
    if (!table) socket[HANDLERS] = table = new Map();
    if (socket[LEAN] === undefined) socket[LEAN] = this.leanCommands();
    for (const { message, callback, isAckHandledManually } of handlers) {
      const name = String(message);
      if (table.has(name)) throw new Error(`the command ${name} has two handlers`);
      table.set(name, callback as BoundHandler);
      socket.on(name, dispatcherFor(name, isAckHandledManually === true, this.logger));
    }
  }

  private lean: LeanCommands | null | undefined;

  private leanCommands(): LeanCommands | null {
    if (this.lean !== undefined) return this.lean;
    let lean: LeanCommands | null;
    try {
      lean = this.appRef.get(LeanCommands, { strict: false });
    } catch {
      lean = null; // an app without the realtime module's providers: Nest's pipeline only
    }
    this.lean = lean;
    return lean;
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const allowed = new Set(this.config.allowedOrigins);
    const drain = this.appRef.get(DrainService);
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: MAX_SOCKET_PAYLOAD,
      pingInterval: 10_000,
      pingTimeout: 8_000,
      cors: { origin: [...allowed], credentials: false },
      // Browsers always send Origin; a foreign one is refused. Non-browser clients send none. A page
      // served by this server itself (whatever host name it was opened with) is always allowed.
      allowRequest: (req: { headers: { origin?: string; host?: string } }, done: (err: string | null, ok: boolean) => void) => {
        const origin = req.headers.origin;
        // a node that shuts down takes no new connections (clients reconnect to another node)
        if (drain.draining) return done('draining', false);
        done(null, origin === undefined || allowed.has(origin) || isSameOrigin(origin, req.headers.host));
      },
    }) as Server;

    const redis = this.appRef.get(RedisService);
    if (redis.enabled) {
      const pub = withSafePublish(redis.duplicate('io-pub'), this.logger);
      const sub = withSafeUnsubscribe(redis.duplicate('io-sub'));
      server.adapter(createAdapter(pub, sub, { key: 'lotse:io' }));
    }

    const tokens = this.appRef.get<symbol, SocketAuthenticator>(SOCKET_AUTHENTICATOR);
    const trust = compileProxyTrust(this.config.trustedProxies);
    server.use((socket, next) => {
      (socket as unknown as LotseSocket).data.address = forwardedAddress(socket.handshake.address, socket.handshake.headers['x-forwarded-for'], trust);
      const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      // answered once: a lookup that never settles must not leave the client's CONNECT unanswered
      // (socket.io-client would wait for ever); it gets INTERNAL and tries again
      let answered = false;
      const answer = (err?: Error): void => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        next(err);
      };
      const timer = setTimeout(() => {
        this.logger.error({ ms: socketAuth.timeoutMs }, 'socket authentication did not finish in time: answered INTERNAL');
        answer(new Error('INTERNAL'));
      }, socketAuth.timeoutMs);
      tokens
        .resolve(token)
        .then((auth) => {
          if (answered) return;
          if (!auth) return answer(new Error('UNAUTHORIZED'));
          (socket as unknown as LotseSocket).data.auth = auth;
          answer();
        })
        .catch((err: Error) => {
          this.logger.error({ err: err.message }, 'socket authentication failed');
          answer(new Error('INTERNAL'));
        });
    });
    return server;
  }
}

/**
 * The Origin names the host the request itself was sent to (the page came from this server, e.g.
 * opened as 127.0.0.1 while PUBLIC_URL says localhost). A foreign page cannot choose the Host header
 * of its request to us, so this admits no other site.
 */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const o = new URL(origin);
    return (o.protocol === 'http:' || o.protocol === 'https:') && o.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The adapter publishes without handling the promise: while Redis is away ioredis rejects queued
 * publishes (MaxRetriesPerRequestError), and an unhandled rejection would end the process. A lost
 * cross-node broadcast is repaired by clients through `room.history`; a lost node is not.
 */
export function withSafePublish(client: Redis, logger: Logger): Redis {
  const publish = (channel: string, message: string | Buffer): Promise<number> => Redis.prototype.publish.call(client, channel, message);
  let lastLog = -Infinity;
  const safe = (channel: string, message: string | Buffer): Promise<number> =>
    publish(channel, message).catch((err: Error) => {
      // a log throttle: monotonic time, not the wall clock
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        logger.warn({ err: err.message }, 'a cross-node broadcast was dropped while Redis is unavailable');
      }
      return 0;
    });
  Object.defineProperty(client, 'publish', { value: safe });
  return client;
}

/**
 * The adapter unsubscribes on close without handling the promise; when the Redis clients were shut
 * down first (application shutdown runs before the socket server closes) that rejection would be
 * unhandled and end the process. Unsubscribing from a closed connection has nothing left to do.
 */
export function withSafeUnsubscribe(client: Redis): Redis {
  for (const name of ['punsubscribe', 'unsubscribe'] as const) {
    const original = (client[name] as (...args: unknown[]) => Promise<unknown>).bind(client);
    Object.defineProperty(client, name, { value: (...args: unknown[]) => original(...args).catch(() => 0) });
  }
  return client;
}
