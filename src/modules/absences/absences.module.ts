import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { CryptoModule } from '../crypto/crypto.module';
import { ThreadsModule } from '../threads/threads.module';
import { Absence } from './absence.entity';
import { AbsencesController } from './absences.controller';
import { AbsencesRepository } from './absences.repository';
import { AbsencesService } from './absences.service';

/** The absence assistant (issue 12). */
@Module({
  imports: [TypeOrmModule.forFeature([Absence]), AccountsModule, CryptoModule, ThreadsModule],
  controllers: [AbsencesController],
  providers: [AbsencesRepository, AbsencesService],
  exports: [AbsencesService],
})
export class AbsencesModule {}
