import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { TokensModule } from '../auth/tokens.module';
import { CentersModule } from '../centers/centers.module';
import { ClientCounselorsModule } from '../client-counselors/client-counselors.module';
import { CryptoModule } from '../crypto/crypto.module';
import { ThreadsModule } from '../threads/threads.module';
import { CrisisContactsService } from './crisis-contacts.service';
import { StaffPicture, StaffProfile } from './staff-profile.entity';
import { MyProfileController, PublicTeamController, TeamAdminController } from './team.controller';
import { TeamRepository } from './team.repository';
import { TeamService } from './team.service';

/** The team page and crisis contacts (issue 13); the crisis contacts plug into threads as ENQUIRY_ROUTER. */
@Module({
  imports: [
    TypeOrmModule.forFeature([StaffProfile, StaffPicture]),
    AccountsModule,
    CentersModule,
    ClientCounselorsModule,
    CryptoModule,
    ThreadsModule,
    TokensModule,
  ],
  controllers: [MyProfileController, PublicTeamController, TeamAdminController],
  providers: [TeamRepository, TeamService, CrisisContactsService],
  exports: [TeamService],
})
export class TeamModule {}
