import { Controller, Get, Next, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Public } from '../../common/auth-context';
import { isPortalPath, PortalPage, PortalService } from './portal.service';

/** The portal pages: `GET /` and `GET /c/:center[/…]` (CONTRACT.md, Pages). */
@ApiExcludeController()
@Public()
@Controller()
export class PortalController {
  constructor(private readonly portal: PortalService) {}

  @Get()
  async home(@Res() res: Response) {
    send(res, await this.portal.page());
  }

  @Get(['c/:center', 'c/:center/*rest'])
  async center(@Param('center') center: string, @Res() res: Response) {
    send(res, await this.portal.page(center));
  }

  /**
   * Any other address a person might type (`/beratung`, `/c` …): the friendly page with the crisis
   * lines and status 404, never JSON. The API, health and socket paths go on to their own routes.
   */
  @Get('*rest')
  async other(@Req() req: Request, @Res() res: Response, @Next() next: NextFunction) {
    if (!isPortalPath(req.path)) return next();
    send(res, await this.portal.unknown());
  }
}

function send(res: Response, page: PortalPage): void {
  res.status(page.status).set({ 'Content-Security-Policy': page.csp, 'Cache-Control': 'no-cache' }).type('html').send(page.html);
}
