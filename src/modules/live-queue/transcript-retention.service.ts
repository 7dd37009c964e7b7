import { Injectable } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { Clock } from '../../common/clock';
import { CentersService } from '../centers/centers.service';
import { RoomsService } from '../rooms/rooms.service';
import { LiveQueueRepository } from './live-queue.repository';

/** Deletes kept live-chat transcripts of each center after that center's retention period. */
@Injectable()
export class TranscriptRetentionService {
  constructor(
    private readonly repo: LiveQueueRepository,
    private readonly centers: CentersService,
    private readonly rooms: RoomsService,
    private readonly clock: Clock,
  ) {}

  @Cron(CronExpression.EVERY_HOUR)
  async sweep(): Promise<number> {
    const ids = await this.repo.findCentersWithChats().catch(() => [] as string[]);
    const centers = await Promise.all(ids.map((id) => this.centers.byId(id).catch(() => null)));
    const policies = centers.flatMap((c) => (c ? [{ id: c.id, keep: c.keepLiveTranscripts, days: c.transcriptRetentionDays }] : []));
    return this.rooms.applyRetention('live', policies, this.clock.now());
  }
}
