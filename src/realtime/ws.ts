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
import { plainAddress } from '../common/client-address';
import { errors } from '../common/errors';
import { toErrorBody } from '../common/http-exception.filter';
import { createValidationPipe } from '../common/validation';
import { CommandMetricsInterceptor } from './command-metrics.interceptor';
import type { Ack, AckCallback, ClientToServerEvents, ServerToClientEvents } from './contract';

/** Socket data set by the auth middleware. */
export interface SocketData {
  auth: AuthContext;
  /** The caller's address behind trusted proxies (for limits only; never stored). */
  address?: string;
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
  return applyDecorators(
    WebSocketGateway(),
    UseFilters(new WsErrorFilter()),
    // outermost: it times the whole command, ack included (/metrics)
    UseInterceptors(CommandMetricsInterceptor, new AckInterceptor()),
    UsePipes(createValidationPipe()),
  );
}

/** Handler parameter: the authenticated caller of this socket. */
export const WsAuth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = ctx.switchToWs().getClient<LotseSocket>().data.auth;
  if (!auth) throw errors.unauthorized();
  return auth;
});

/**
 * The caller's address for rate limits (never stored), worked out once at the handshake by the io
 * adapter from the peer and X-Forwarded-For behind TRUSTED_PROXIES (src/common/client-address.ts).
 */
export function socketAddress(socket: Pick<LotseSocket, 'handshake' | 'data'>): string {
  return socket.data.address ?? plainAddress(socket.handshake.address);
}
