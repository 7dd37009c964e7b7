import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { ErasureModule } from '../../infra/database/erasure.module';
import { CryptoModule } from '../crypto/crypto.module';
import { Message } from './message.entity';
import { MessagesRepository } from './messages.repository';
import { MembershipCache } from './membership-cache';
import { MessagesService } from './messages.service';
import { RoomCipherService } from './room-cipher.service';
import { RoomMember } from './room-member.entity';
import { Room } from './room.entity';
import { RoomsController } from './rooms.controller';
import { RoomsGateway } from './rooms.gateway';
import { RoomsRepository } from './rooms.repository';
import { RoomsService } from './rooms.service';

/** Rooms and messages; RoomsService is the API of the live-chat and topic-chat features. */
@Module({
  imports: [TypeOrmModule.forFeature([Room, RoomMember, Message]), AccountsModule, CryptoModule, ErasureModule],
  controllers: [RoomsController],
  providers: [RoomsService, MessagesService, MembershipCache, RoomCipherService, RoomsRepository, MessagesRepository, RoomsGateway],
  exports: [RoomsService, MessagesService],
})
export class RoomsModule {}
