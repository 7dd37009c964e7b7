import { Module } from '@nestjs/common';
import { CentersModule } from '../centers/centers.module';
import { WidgetController } from './widget.controller';
import { WidgetService } from './widget.service';

/** Serves the homepage widget's page with its per-center frame-ancestors policy. */
@Module({
  imports: [CentersModule],
  controllers: [WidgetController],
  providers: [WidgetService],
})
export class WidgetModule {}
