import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../../common/auth-context';
import { RedisService } from '../../infra/redis/redis.service';
import { DrainService } from '../../realtime/drain.service';

type Database = 'up' | 'down';
type RedisState = 'up' | 'down' | 'disabled';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisService,
    private readonly drain: DrainService,
  ) {}

  private async dependencies(): Promise<{ database: Database; redis: RedisState }> {
    const [database, redis] = await Promise.all([
      // terminus 11 answers a failed ping with `{ database: { status: "down" } }` instead of throwing
      this.db.pingCheck('database', { timeout: 1500 }).then(
        (result): Database => (result.database?.status === 'up' ? 'up' : 'down'),
        (): Database => 'down',
      ),
      this.redis.ping(),
    ]);
    return { database, redis };
  }

  /** 200 `{ status: "ok", database: "up", redis: "up" | "disabled" }`; 503 when a dependency is down. */
  @Get('health')
  @HttpCode(200)
  async health(@Res({ passthrough: true }) res: Response) {
    const { database, redis } = await this.dependencies();
    const ok = database === 'up' && redis !== 'down';
    if (!ok) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'unavailable', database, redis };
  }

  /** Liveness: the process runs and answers (nothing else is checked: a restart would not bring a database back). */
  @Get('health/live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: 200 { status: "ok" } while the process runs; checks no dependency.' })
  live() {
    return { status: 'ok' as const };
  }

  /**
   * Readiness: whether a load balancer should send this node new clients. 503 while the node drains
   * (SIGTERM) or while the database is away; a Redis outage alone keeps it ready (chat goes on on the
   * database; the live queue answers LIVE_CLOSED for the moment).
   */
  @Get('health/ready')
  @HttpCode(200)
  @ApiOperation({ summary: 'Readiness: 200 { status: "ok", database, redis }; 503 { status: "draining" | "unavailable", database, redis }.' })
  @ApiResponse({ status: 503, description: '`draining` (the node shuts down) or `unavailable` (the database is away).' })
  async ready(@Res({ passthrough: true }) res: Response) {
    const { database, redis } = await this.dependencies();
    const status = this.drain.draining ? ('draining' as const) : database === 'up' ? ('ok' as const) : ('unavailable' as const);
    if (status !== 'ok') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status, database, redis };
  }
}
