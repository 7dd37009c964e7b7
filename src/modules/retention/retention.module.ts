import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AbsencesModule } from '../absences/absences.module';
import { AdminModule } from '../admin/admin.module';
import { CentersModule } from '../centers/centers.module';
import { ThreadsModule } from '../threads/threads.module';
import { RetentionLease } from './retention-lease.entity';
import { RetentionLeasesRepository } from './retention-leases.repository';
import { RetentionController } from './retention.controller';
import { RetentionService } from './retention.service';

/** Retention of mail counseling: closed threads, unconfirmed registrations, unused accounts (issue 12). */
@Module({
  imports: [TypeOrmModule.forFeature([RetentionLease]), CentersModule, ThreadsModule, AdminModule, AbsencesModule],
  controllers: [RetentionController],
  providers: [RetentionLeasesRepository, RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
