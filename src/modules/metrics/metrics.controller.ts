import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth-context';
import { errors } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MetricsService } from '../../infra/metrics/metrics.service';
import { bearerMatches } from './metrics-access';

/**
 * `GET /metrics` on the main port: only with METRICS_TOKEN set, and then only with that token as
 * Bearer (401 otherwise). Without a token it is not there (404), whether or not METRICS_PORT serves
 * it elsewhere. Not in the OpenAPI document (it is the operator's, not the app's).
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    const token = this.config.metrics.token;
    if (token === null) throw errors.notFound('The page');
    if (!bearerMatches(authorization, token)) throw errors.unauthorized('A valid metrics token is required.');
    res
      .status(200)
      .set({ 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' })
      .send(await this.metrics.scrape());
  }
}
