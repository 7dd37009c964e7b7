import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthContext, Public, requireRole } from '../../src/common/auth-context';
import { DomainError } from '../../src/common/errors';
import { AuthGuard } from '../../src/modules/auth/auth.guard';
import type { CentersService } from '../../src/modules/centers/centers.service';
import type { TokensService } from '../../src/modules/auth/tokens.service';

const caller: AuthContext = { subjectId: 's1', role: 'counselor', centerId: 'center-a', displayName: 'Kim', tokenHash: 'h' };
const TOKEN = 'x'.repeat(43);

@Controller()
class Routes {
  @Public()
  @Get()
  open() {}

  @Get()
  closed() {}
}

@Public()
@Controller()
class PublicRoutes {
  @Get()
  page() {}
}

function httpContext(handler: () => void, cls: object, req: { headers: Record<string, string>; params: Record<string, string> }): ExecutionContext {
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => cls,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

function guard(): AuthGuard {
  const tokens = { resolve: (t: unknown) => Promise.resolve(t === TOKEN ? caller : null) } as unknown as TokensService;
  const centers = {
    bySlug: (slug: string) => {
      if (slug === 'a') return Promise.resolve({ id: 'center-a' });
      if (slug === 'b') return Promise.resolve({ id: 'center-b' });
      return Promise.reject(new DomainError('NOT_FOUND', 'The center was not found.'));
    },
  } as unknown as CentersService;
  return new AuthGuard(new Reflector(), tokens, centers);
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'passed',
    (err: DomainError) => err.code,
  );

describe('the one REST authorization path (global AuthGuard)', () => {
  it('should let a @Public() route or controller through without a token', async () => {
    await expect(guard().canActivate(httpContext(Routes.prototype.open, Routes, { headers: {}, params: {} }))).resolves.toBe(true);
    await expect(guard().canActivate(httpContext(PublicRoutes.prototype.page, PublicRoutes, { headers: {}, params: { center: 'b' } }))).resolves.toBe(true);
  });

  it('should refuse every other route without a valid bearer token', async () => {
    const g = guard();
    await expect(code(g.canActivate(httpContext(Routes.prototype.closed, Routes, { headers: {}, params: {} })))).resolves.toBe('UNAUTHORIZED');
    await expect(
      code(g.canActivate(httpContext(Routes.prototype.closed, Routes, { headers: { authorization: `Bearer ${'y'.repeat(43)}` }, params: {} }))),
    ).resolves.toBe('UNAUTHORIZED');
  });

  it('should set the caller and check :center against the caller’s center when the route has one', async () => {
    const g = guard();
    const req = { headers: { authorization: `Bearer ${TOKEN}` }, params: { center: 'a' } } as {
      headers: Record<string, string>;
      params: Record<string, string>;
      auth?: AuthContext;
    };
    await expect(g.canActivate(httpContext(Routes.prototype.closed, Routes, req))).resolves.toBe(true);
    expect(req.auth).toBe(caller);
    const other = { headers: { authorization: `Bearer ${TOKEN}` }, params: { center: 'b' } };
    await expect(code(g.canActivate(httpContext(Routes.prototype.closed, Routes, other)))).resolves.toBe('FORBIDDEN');
    const unknown = { headers: { authorization: `Bearer ${TOKEN}` }, params: { center: 'nowhere' } };
    await expect(code(g.canActivate(httpContext(Routes.prototype.closed, Routes, unknown)))).resolves.toBe('NOT_FOUND');
  });

  it('should leave socket handlers to io.use() authentication', async () => {
    const ws = { getType: () => 'ws' } as unknown as ExecutionContext;
    await expect(guard().canActivate(ws)).resolves.toBe(true);
  });
});

describe('requireRole, the one role check', () => {
  it('should pass a caller with one of the roles and refuse the others with FORBIDDEN and the given message', () => {
    expect(() => requireRole(caller, 'counselor', 'admin')).not.toThrow();
    expect(() => requireRole(caller, 'admin')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', message: 'You may not do this.' }) as Error);
    expect(() => requireRole(caller, 'visitor', { message: 'Only visitors join the live chat queue.' })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: 'Only visitors join the live chat queue.' }) as Error,
    );
  });
});
