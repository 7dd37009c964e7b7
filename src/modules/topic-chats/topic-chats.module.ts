import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { CentersModule } from '../centers/centers.module';
import { CryptoModule } from '../crypto/crypto.module';
import { RoomsModule } from '../rooms/rooms.module';
import { TopicChat } from './topic-chat.entity';
import { TopicChatsController } from './topic-chats.controller';
import { TopicChatsGateway } from './topic-chats.gateway';
import { TopicChatsRepository } from './topic-chats.repository';
import { TopicChatsService } from './topic-chats.service';
import { TopicParticipant } from './topic-participant.entity';

/** Scheduled anonymous topic chats. */
@Module({
  imports: [TypeOrmModule.forFeature([TopicChat, TopicParticipant]), RoomsModule, AccountsModule, CentersModule, CryptoModule],
  controllers: [TopicChatsController],
  providers: [TopicChatsRepository, TopicChatsService, TopicChatsGateway],
})
export class TopicChatsModule {}
