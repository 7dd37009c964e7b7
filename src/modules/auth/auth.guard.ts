import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthContext, IS_PUBLIC } from '../../common/auth-context';
import { errors } from '../../common/errors';
import { CentersService } from '../centers/centers.service';
import { TokensService } from './tokens.service';

/**
 * The one REST authorization path, installed globally (APP_GUARD): every route needs
 * `Authorization: Bearer <token>` (never a query string or cookie) unless it is marked `@Public()`,
 * and an authenticated route under `:center` must name the caller's own center (NOT_FOUND for an
 * unknown slug, FORBIDDEN for another center's). Role checks are the services' `requireRole`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly centers: CentersService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<Request & { auth?: AuthContext }>();
    const header = req.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : null;
    const auth = token ? await this.tokens.resolve(token) : null;
    if (!auth) throw errors.unauthorized();
    req.auth = auth;
    const slug = (req.params as Record<string, string | undefined>).center;
    if (slug !== undefined && (await this.centers.bySlug(slug)).id !== auth.centerId) throw errors.forbidden();
    return true;
  }
}
