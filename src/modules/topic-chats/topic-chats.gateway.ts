import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { AuthContext } from '../../common/auth-context';
import { Command, LotseGateway, LotseSocket, socketAddress, WsAuth } from '../../realtime/ws';
import { TopicJoinDto, TopicModerateDto } from './dto/topic-chats.dto';
import { TopicChatsService } from './topic-chats.service';

/** `topic.join`, `topic.mute`, `topic.remove`. */
@LotseGateway()
export class TopicChatsGateway {
  constructor(private readonly topics: TopicChatsService) {}

  @Command('topic.join')
  join(@WsAuth() auth: AuthContext, @MessageBody() dto: TopicJoinDto, @ConnectedSocket() socket: LotseSocket) {
    return this.topics.join(auth, dto, { ip: socketAddress(socket) });
  }

  @Command('topic.mute')
  mute(@WsAuth() auth: AuthContext, @MessageBody() dto: TopicModerateDto) {
    return this.topics.mute(auth, dto);
  }

  @Command('topic.remove')
  remove(@WsAuth() auth: AuthContext, @MessageBody() dto: TopicModerateDto) {
    return this.topics.remove(auth, dto);
  }
}
