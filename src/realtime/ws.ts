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
import { BaseWsExceptionFilter, WebSocketGateway } from '@nestjs/websockets';
import { map, Observable } from 'rxjs';
import type { Socket } from 'socket.io';
import { AuthContext } from '../common/auth-context';
import { plainAddress } from '../common/client-address';
import { errors } from '../common/errors';
import { toErrorBody } from '../common/http-exception.filter';
import { createValidationPipe } from '../common/validation';
import type { Ack } from './contract';

/** Socket data set by the auth middleware. */
export interface SocketData {
  auth: AuthContext;
  /** The caller's address behind trusted proxies (for limits only; never stored). */
  address?: string;
}
export type LotseSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>;

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

/**
 * The caller's address for rate limits (never stored), worked out once at the handshake by the io
 * adapter from the peer and X-Forwarded-For behind TRUSTED_PROXIES (src/common/client-address.ts).
 */
export function socketAddress(socket: Pick<LotseSocket, 'handshake' | 'data'>): string {
  return socket.data.address ?? plainAddress(socket.handshake.address);
}
