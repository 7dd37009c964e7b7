import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../../common/auth-context';
import { RedisService } from '../../infra/redis/redis.service';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisService,
  ) {}

  /** 200 `{ status: "ok", database: "up", redis: "up" | "disabled" }`; 503 when a dependency is down. */
  @Get('health')
  @HttpCode(200)
  async health(@Res({ passthrough: true }) res: Response) {
    const [database, redis] = await Promise.all([
      this.db.pingCheck('database', { timeout: 1500 }).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      this.redis.ping(),
    ]);
    const ok = database === 'up' && redis !== 'down';
    if (!ok) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'unavailable', database, redis };
  }
}
