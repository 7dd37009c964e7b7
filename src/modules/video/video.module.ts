import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AbsencesModule } from '../absences/absences.module';
import { AccountsModule } from '../accounts/accounts.module';
import { AppointmentsModule } from '../appointments/appointments.module';
import { CentersModule } from '../centers/centers.module';
import { CryptoModule } from '../crypto/crypto.module';
import { ThreadsModule } from '../threads/threads.module';
import { VideoConsentController, VideoInvitesController, VideoRoomsController } from './video.controller';
import { VideoConfig } from './video-config';
import { VideoConsent, VideoConsentConfirmation } from './video-consent.entity';
import { VideoConsentService } from './video-consent.service';
import { VideoJoinService } from './video-join.service';
import { VideoRoomClient } from './video-room-client.entity';
import { VideoRoom } from './video-room.entity';
import { VideoRoomsService } from './video-rooms.service';
import { VideoRepository } from './video.repository';

/**
 * Video rooms on a self-hosted Jitsi (issue 13): rooms, guest links, consent, join tokens. Exports
 * VideoRoomsService (`ownRoom`, for the notes per room); registers the APPOINTMENT_VIDEO port.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([VideoRoom, VideoRoomClient, VideoConsent, VideoConsentConfirmation]),
    AbsencesModule,
    AccountsModule,
    AppointmentsModule,
    CentersModule,
    CryptoModule,
    ThreadsModule,
  ],
  controllers: [VideoRoomsController, VideoInvitesController, VideoConsentController],
  providers: [VideoRepository, VideoConfig, VideoRoomsService, VideoJoinService, VideoConsentService],
  exports: [VideoRoomsService],
})
export class VideoModule {}
