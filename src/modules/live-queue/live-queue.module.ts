import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RedisService } from '../../infra/redis/redis.service';
import { AccountsModule } from '../accounts/accounts.module';
import { TokensModule } from '../auth/tokens.module';
import { CentersModule } from '../centers/centers.module';
import { CryptoModule } from '../crypto/crypto.module';
import { RoomsModule } from '../rooms/rooms.module';
import { LiveChat } from './live-chat.entity';
import { LiveChatsService } from './live-chats.service';
import { LiveOverviewController } from './live-overview.controller';
import { LiveOverviewService } from './live-overview.service';
import { LiveQueueController } from './live-queue.controller';
import { LiveQueueGateway } from './live-queue.gateway';
import { LiveQueueRepository } from './live-queue.repository';
import { LiveQueueService } from './live-queue.service';
import { MemoryQueueStore } from './memory-queue.store';
import { QueueEffectsService } from './queue-effects.service';
import { LIVE_QUEUE_STORE } from './queue-store';
import { RedisQueueStore } from './redis-queue.store';
import { Shift } from './shift.entity';
import { ShiftsService } from './shifts.service';
import { TranscriptRetentionService } from './transcript-retention.service';
import { VisitorBlock } from './visitor-block.entity';

/** Anonymous live chat: shifts, the waiting line (Redis scripts or in-process), assignment, status. */
@Module({
  imports: [TypeOrmModule.forFeature([Shift, LiveChat, VisitorBlock]), RoomsModule, AccountsModule, CentersModule, TokensModule, CryptoModule],
  controllers: [LiveQueueController, LiveOverviewController],
  providers: [
    {
      provide: LIVE_QUEUE_STORE,
      inject: [RedisService],
      useFactory: (redis: RedisService) => (redis.client ? new RedisQueueStore(redis.client) : new MemoryQueueStore()),
    },
    LiveQueueRepository,
    QueueEffectsService,
    LiveChatsService,
    LiveQueueService,
    ShiftsService,
    TranscriptRetentionService,
    LiveQueueGateway,
    LiveOverviewService,
  ],
  // the shared store, read by /metrics (waiting visitors and shifts per center)
  exports: [LIVE_QUEUE_STORE],
})
export class LiveQueueModule {}
