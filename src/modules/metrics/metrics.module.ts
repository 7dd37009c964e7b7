import { Module } from '@nestjs/common';
import { CentersModule } from '../centers/centers.module';
import { LiveQueueModule } from '../live-queue/live-queue.module';
import { MetricsCollector } from './metrics-collector.service';
import { MetricsController } from './metrics.controller';

/** /metrics in the Prometheus text format (docs/operations: closed by default). */
@Module({
  imports: [CentersModule, LiveQueueModule],
  controllers: [MetricsController],
  providers: [MetricsCollector],
})
export class MetricsModule {}
