import {
  applyDecorators,
  ArgumentsHost,
  CallHandler,
  Catch,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  Logger,
  NestInterceptor,
  UseFilters,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import { BaseWsExceptionFilter, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { map, Observable } from 'rxjs';
import type { Server, Socket } from 'socket.io';
import { AuthContext } from '../common/auth-context';
import { errors } from '../common/errors';
import { toErrorBody } from '../common/http-exception.filter';
import { createValidationPipe } from '../common/validation';
import type { Ack, AckCallback, ClientToServerEvents, ServerToClientEvents } from './contract';

/** Socket data set by the auth middleware. */
export interface SocketData {
  auth: AuthContext;
}
/** A socket typed by the contract: what it may send (commands) and what it is sent (pushes). */
export type LotseSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
/** The socket server typed by the contract (`publisher.to(...).emit` is checked against it). */
export type LotseServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export type CommandName = keyof ClientToServerEvents;
/** The payload a command carries (its first argument in the contract). */
export type CommandPayload<E extends CommandName> = Parameters<ClientToServerEvents[E]>[0];
/** The `data` of a command's `{ ok: true, data }` answer. */
export type CommandResult<E extends CommandName> = Parameters<ClientToServerEvents[E]>[1] extends AckCallback<infer T> ? T : never;
/** What a handler may return: the result, or nothing when the result is `{}` (AckInterceptor answers `{}`). */
type HandlerReturn<E extends CommandName> =
  CommandResult<E> | Promise<CommandResult<E>> | (Record<string, never> extends CommandResult<E> ? void | Promise<void> : never);

/**
 * `@SubscribeMessage` for a command of the contract: the name must be a contract command and the
 * handler's result must be that command's `data`, so gateway and contract cannot drift apart.
 */
export function Command<E extends CommandName>(event: E) {
  return <H extends (...args: never[]) => HandlerReturn<E>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>): void => {
    SubscribeMessage(event)(target, key, descriptor);
  };
}

/** The one WS mapping of errors: the ack gets `{ ok: false, error: { code, message } }`. */
@Catch()
export class WsErrorFilter extends BaseWsExceptionFilter {
  private readonly logger = new Logger('WsError');

  override catch(exception: unknown, host: ArgumentsHost): void {
    const ack: unknown = host.getArgByIndex(2);
    const answer: Ack<never> = { ok: false, error: toErrorBody(exception, this.logger) };
    if (typeof ack === 'function') (ack as (a: Ack<never>) => void)(answer);
  }
}

/** Wraps a handler's result as `{ ok: true, data }`. */
@Injectable()
export class AckInterceptor implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<Ack<unknown>> {
    return next.handle().pipe(map((data: unknown) => ({ ok: true as const, data: data ?? {} })));
  }
}

/** A gateway on the default namespace with Lotse's ack, error and validation handling. */
export function LotseGateway(): ClassDecorator {
  return applyDecorators(WebSocketGateway(), UseFilters(new WsErrorFilter()), UseInterceptors(new AckInterceptor()), UsePipes(createValidationPipe()));
}

/** Handler parameter: the authenticated caller of this socket. */
export const WsAuth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = ctx.switchToWs().getClient<LotseSocket>().data.auth;
  if (!auth) throw errors.unauthorized();
  return auth;
});

/** Addresses of proxies we trust to forward the client's address (as Express' 'trust proxy'). */
const TRUSTED_PROXY =
  /^(127\.|::1$|::ffff:127\.|10\.|::ffff:10\.|172\.(1[6-9]|2\d|3[01])\.|::ffff:172\.(1[6-9]|2\d|3[01])\.|192\.168\.|::ffff:192\.168\.|169\.254\.|f[cd][0-9a-f]{2}:|fe80:)/i;

/**
 * The caller's address for rate limits (never stored): the socket's peer, or, when that peer is a
 * trusted local proxy (nginx in front), the nearest untrusted hop of X-Forwarded-For.
 */
export function socketAddress(socket: Pick<LotseSocket, 'handshake'>): string {
  let address = socket.handshake.address;
  const forwarded = socket.handshake.headers['x-forwarded-for'];
  if (typeof forwarded === 'string') {
    const hops = forwarded
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    while (TRUSTED_PROXY.test(address) && hops.length > 0) address = hops.pop()!;
  }
  return address;
}
