import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuthContext } from '../../common/auth-context';
import { errors } from '../../common/errors';
import { TokensService } from './tokens.service';

/** REST authentication: `Authorization: Bearer <token>` only (never a query string or cookie). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly tokens: TokensService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request & { auth?: AuthContext }>();
    const header = req.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : null;
    const auth = token ? await this.tokens.resolve(token) : null;
    if (!auth) throw errors.unauthorized();
    req.auth = auth;
    return true;
  }
}
