import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientCounselor } from './client-counselor.entity';
import { ClientCounselorsRepository } from './client-counselors.repository';
import { ClientCounselorsService } from './client-counselors.service';

/** "Their counselor" of a client (issue 13): set by booking, crisis contacts and the admin. */
@Module({
  imports: [TypeOrmModule.forFeature([ClientCounselor])],
  providers: [ClientCounselorsRepository, ClientCounselorsService],
  exports: [ClientCounselorsService],
})
export class ClientCounselorsModule {}
