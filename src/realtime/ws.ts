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
import { errors } from '../common/errors';
import { toErrorBody } from '../common/http-exception.filter';
import { createValidationPipe } from '../common/validation';
import type { Ack } from './contract';

/** Socket data set by the auth middleware. */
export interface SocketData {
  auth: AuthContext;
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
