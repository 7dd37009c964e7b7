import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth-context';
import { PortalPage, PortalService } from './portal.service';

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
}

function send(res: Response, page: PortalPage): void {
  res.status(page.status).set({ 'Content-Security-Policy': page.csp, 'Cache-Control': 'no-cache' }).type('html').send(page.html);
}
