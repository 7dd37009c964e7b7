import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { CentersModule } from '../centers/centers.module';
import { ClientCounselorsModule } from '../client-counselors/client-counselors.module';
import { CryptoModule } from '../crypto/crypto.module';
import { ThreadErasureService } from './thread-erasure.service';
import { ThreadLifecycleService } from './thread-lifecycle.service';
import { ThreadMember } from './thread-member.entity';
import { ThreadNotifier } from './thread-notifier.service';
import { ThreadPostsService } from './thread-posts.service';
import { ThreadQueriesService } from './thread-queries.service';
import { ThreadsController } from './threads.controller';
import { ThreadPorts } from './thread-ports';
import { ThreadPost } from './thread-post.entity';
import { Thread } from './thread.entity';
import { ThreadRetentionRepository } from './thread-retention.repository';
import { ThreadRetentionService } from './thread-retention.service';
import { ThreadsRepository } from './threads.repository';
import { ThreadsService } from './threads.service';

/**
 * Mail counseling (issue 12): enquiries, 1:1 and group threads, posts, reassignment. Exports
 * ThreadsService (access, isClientOf, cipherFor, appendPost) and ThreadPorts, where the documents,
 * absences and crisis-contact modules plug in (see the *.port.ts files).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Thread, ThreadMember, ThreadPost]), AccountsModule, CentersModule, ClientCounselorsModule, CryptoModule],
  controllers: [ThreadsController],
  providers: [
    ThreadsRepository,
    ThreadsService,
    ThreadPorts,
    ThreadNotifier,
    ThreadLifecycleService,
    ThreadPostsService,
    ThreadQueriesService,
    ThreadErasureService,
    ThreadRetentionRepository,
    ThreadRetentionService,
  ],
  exports: [ThreadsService, ThreadPorts, ThreadRetentionService, ThreadNotifier],
})
export class ThreadsModule {}
