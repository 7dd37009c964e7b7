import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth-context';
import { LiveQueueService } from './live-queue.service';

@ApiTags('live-chat')
@Controller('api/centers/:center/live')
export class LiveQueueController {
  constructor(private readonly queue: LiveQueueService) {}

  /** What the homepage button reads: `{ open, full, waiting }` (no token; correct within a second). */
  @Public()
  @Get()
  status(@Param('center') center: string) {
    return this.queue.status(center);
  }
}
