import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { Clock } from '../../common/clock';
import { CentersService } from '../centers/centers.service';
import { RoomsService } from '../rooms/rooms.service';
import { LiveQueueRepository } from './live-queue.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes kept live-chat transcripts after the retention period. The rooms API deletes by kind over
 * all centers, so the shortest retention of the centers that keep transcripts applies (privacy first).
 */
@Injectable()
export class TranscriptRetentionService {
  private readonly logger = new Logger('LiveRetention');

  constructor(
    private readonly repo: LiveQueueRepository,
    private readonly centers: CentersService,
    private readonly rooms: RoomsService,
    private readonly clock: Clock,
  ) {}

  @Cron(CronExpression.EVERY_HOUR)
  async sweep(): Promise<number> {
    try {
      let days: number | null = null;
      for (const id of await this.repo.findCentersWithChats()) {
        const c = await this.centers.byId(id).catch(() => null);
        if (c?.keepLiveTranscripts) days = Math.min(days ?? Infinity, c.transcriptRetentionDays);
      }
      if (days === null) return 0;
      return await this.rooms.deleteMessagesOlderThan(new Date(this.clock.now().getTime() - days * DAY_MS), 'live');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'transcript retention sweep failed');
      return 0;
    }
  }
}
