import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { TokensModule } from '../auth/tokens.module';
import { CentersModule } from '../centers/centers.module';
import { RoomsModule } from '../rooms/rooms.module';
import { TeamModule } from '../team/team.module';
import { ThreadsModule } from '../threads/threads.module';
import { AdminController, InvitationController } from './admin.controller';
import { InactiveClientsService } from './inactive-clients.service';
import { StaffService } from './staff.service';

/** The admin's staff and client management (the live overview lives with the live queue). */
@Module({
  imports: [AccountsModule, TokensModule, CentersModule, RoomsModule, ThreadsModule, TeamModule],
  controllers: [AdminController, InvitationController],
  providers: [StaffService, InactiveClientsService],
  exports: [InactiveClientsService],
})
export class AdminModule {}
