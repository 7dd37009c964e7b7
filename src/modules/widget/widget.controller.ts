import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth-context';
import { WidgetService } from './widget.service';

@ApiExcludeController()
@Public()
@Controller()
export class WidgetController {
  constructor(private readonly widget: WidgetService) {}

  /** The chat app inside the homepage iframe: `/widget.html?center=<slug>&lang=<de|en>`. */
  @Get('widget.html')
  async page(@Query('center') center: string, @Res() res: Response) {
    const page = await this.widget.page(center);
    res.removeHeader('X-Frame-Options');
    res.set({ 'Content-Security-Policy': page.csp, 'Cache-Control': 'no-cache' }).type('html').send(page.html);
  }
}
