import { createParamDecorator, CustomDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '../realtime/contract';
import { errors } from './errors';

/** Who is calling: carried into every service call as the first argument. */
export interface AuthContext {
  /** Account id, or visitor id for anonymous visitors. */
  subjectId: string;
  role: Role;
  centerId: string;
  displayName: string;
  /** SHA-256 of the bearer token (for revocation and socket rooms); never the token itself. */
  tokenHash: string;
}

export const isStaff = (auth: AuthContext): boolean => auth.role === 'counselor' || auth.role === 'admin';

/**
 * The one role check, in the service (REST and sockets alike): FORBIDDEN unless the caller has one
 * of the roles. A last `{ message }` argument replaces the default message.
 */
export function requireRole(auth: AuthContext, ...args: Role[] | [...Role[], { message: string }]): void {
  const last = args[args.length - 1];
  const message = typeof last === 'object' ? last.message : undefined;
  const roles = args.filter((a): a is Role => typeof a === 'string');
  if (!roles.includes(auth.role)) throw errors.forbidden(message);
}

export const IS_PUBLIC = 'lotse:public';
/**
 * Marks a REST route (or controller) that needs no token. Every other route is authenticated by
 * the global AuthGuard; an authenticated route with a `:center` parameter must name the caller's
 * own center.
 */
export const Public = (): CustomDecorator => SetMetadata(IS_PUBLIC, true);

/** Controller parameter: the authenticated caller set by the global AuthGuard. */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  const req = ctx.switchToHttp().getRequest<{ auth?: AuthContext }>();
  if (!req.auth) throw errors.unauthorized();
  return req.auth;
});
