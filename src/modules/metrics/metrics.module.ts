import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CentersModule } from '../centers/centers.module';
import { LiveQueueModule } from '../live-queue/live-queue.module';
import { CommandMetricsInterceptor } from './command-metrics.interceptor';
import { MetricsCollector } from './metrics-collector.service';
import { MetricsController } from './metrics.controller';

/** /metrics in the Prometheus text format (docs/operations: closed by default). */
@Module({
  imports: [CentersModule, LiveQueueModule],
  controllers: [MetricsController],
  providers: [MetricsCollector, { provide: APP_INTERCEPTOR, useClass: CommandMetricsInterceptor }],
})
export class MetricsModule {}
