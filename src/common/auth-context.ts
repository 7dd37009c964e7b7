import { createParamDecorator, ExecutionContext } from '@nestjs/common';
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

export function requireRole(auth: AuthContext, ...roles: Role[]): void {
  if (!roles.includes(auth.role)) throw errors.forbidden();
}

/** Controller parameter: the authenticated caller set by AuthGuard. */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  const req = ctx.switchToHttp().getRequest<{ auth?: AuthContext }>();
  if (!req.auth) throw errors.unauthorized();
  return req.auth;
});
