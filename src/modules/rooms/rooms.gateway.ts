import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import type { AuthContext } from '../../common/auth-context';
import { LeanCommands } from '../../realtime/lean-commands';
import { Command, LotseGateway, LotseSocket, WsAuth } from '../../realtime/ws';
import { CreateRoomDto, HistoryDto, leanSendPayload, ReadMarkerDto, RoomRefDto, SendMessageDto, TypingDto } from './dto/rooms.dto';
import { MessagesService } from './messages.service';
import { RoomsService } from './rooms.service';

/** Socket commands of rooms and messages (see docs/realtime.md). */
@LotseGateway()
export class RoomsGateway {
  constructor(
    private readonly rooms: RoomsService,
    private readonly messages: MessagesService,
    lean: LeanCommands,
  ) {
    // the hot command: a valid payload skips Nest's pipeline (same checks, answers and metrics)
    lean.register('message.send', leanSendPayload, (auth, dto) => this.messages.send(auth, dto));
  }

  @Command('room.create')
  create(@WsAuth() auth: AuthContext, @MessageBody() dto: CreateRoomDto) {
    return this.rooms.createRoom(auth, dto);
  }

  @Command('room.join')
  join(@WsAuth() auth: AuthContext, @MessageBody() dto: RoomRefDto, @ConnectedSocket() socket: LotseSocket) {
    return this.rooms.joinRoom(auth, dto.roomId, socket.id);
  }

  @Command('room.close')
  close(@WsAuth() auth: AuthContext, @MessageBody() dto: RoomRefDto) {
    return this.rooms.closeRoomCommand(auth, dto.roomId);
  }

  @Command('room.read')
  read(@WsAuth() auth: AuthContext, @MessageBody() dto: ReadMarkerDto) {
    return this.rooms.markRead(auth, dto.roomId, dto.seq);
  }

  @Command('room.typing')
  typing(@WsAuth() auth: AuthContext, @MessageBody() dto: TypingDto) {
    return this.rooms.typing(auth, dto.roomId, dto.typing);
  }

  /** Reached for payloads that leanSendPayload declines (their VALIDATION_FAILED) and sockets without auth. */
  @Command('message.send')
  send(@WsAuth() auth: AuthContext, @MessageBody() dto: SendMessageDto) {
    return this.messages.send(auth, dto);
  }

  @Command('room.history')
  history(@WsAuth() auth: AuthContext, @MessageBody() dto: HistoryDto) {
    return this.messages.history(auth, dto);
  }
}
