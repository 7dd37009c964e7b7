import { ForbiddenException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isSameOrigin } from './io-adapter';

/**
 * Refuses API requests that a browser sent from a page of another site (`Origin` neither an
 * allowed origin nor this server itself) with `403 FORBIDDEN`, before they reach a route. Requests
 * without `Origin` (other servers, curl, same-origin GETs) pass; so do the public status reads
 * (`isPublic`), which any homepage may make. Preflights are answered by CORS before this runs.
 */
export function foreignOriginGate(allowedOrigins: string[], isPublic: (req: Request) => boolean) {
  const allowed = new Set(allowedOrigins);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (origin === undefined || !req.path.startsWith('/api/') || allowed.has(origin) || isSameOrigin(origin, req.headers.host) || isPublic(req)) {
      next();
      return;
    }
    next(new ForbiddenException('Requests from this origin are not accepted.'));
  };
}
