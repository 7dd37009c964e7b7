import { Injectable } from '@nestjs/common';
import { AuthContext } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { DomainError, errors } from '../../common/errors';
import type { MessageSendPayload, MessageSendResult, MessageView, RoomHistoryResult } from '../../realtime/contract';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import { RealtimePublisher } from '../../realtime/publisher';
import { roomFor } from '../../realtime/room-names';
import { HistoryDto } from './dto/rooms.dto';
import { Message } from './message.entity';
import { MessagesRepository } from './messages.repository';
import { RoomCipherService } from './room-cipher.service';
import { RoomsRepository } from './rooms.repository';
import { RoomMember } from './room-member.entity';
import { Room } from './room.entity';
import { RoomMemberView, RoomsService } from './rooms.service';

const DEFAULT_PAGE = 50;

/**
 * `message.send` and `room.history`. A message is encrypted, gets the room's next seq and is
 * committed in one transaction; only then is `message.created` pushed and the send acked.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly rooms: RoomsService,
    private readonly messages: MessagesRepository,
    private readonly roomsRepo: RoomsRepository,
    private readonly cipher: RoomCipherService,
    private readonly publisher: RealtimePublisher,
    private readonly limits: RateLimitService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** Which of these accounts have ever written a message (the admin's list of inactive clients). */
  sendersAmong(centerId: string, accountIds: string[]): Promise<Set<string>> {
    return this.messages.sendersAmong(centerId, accountIds);
  }

  async send(auth: AuthContext, dto: MessageSendPayload): Promise<MessageSendResult> {
    await this.limits.consume('accountMessages', auth.subjectId);
    const { room, member } = await this.rooms.requireMember(auth, dto.roomId);
    try {
      this.assertWritable(room, member);
    } catch (refusal) {
      // A retry of an acked send is answered with the stored row even once the room is closed or the
      // member muted; only a new message is refused.
      const earlier = await this.messages.findByClientMsgId(auth.centerId, room.id, auth.subjectId, dto.clientMsgId);
      if (earlier) return resultOf(earlier);
      throw refusal;
    }
    // A retry of an acked send on a writable room: the append finds it (in the transaction, by the
    // unique index) and answers the stored row; no lookup before it on the common path.
    return this.append(auth.centerId, room.id, member, dto.clientMsgId, dto.body);
  }

  /**
   * Stores a message on behalf of a member (the live chat's first message, written while the visitor
   * waited): encrypted, next seq, idempotent by `clientMsgId`, then `message.created` to the room.
   */
  async postAs(centerId: string, roomId: string, senderId: string, clientMsgId: string, body: string): Promise<MessageSendResult> {
    const found = await this.roomsRepo.findRoomOfMember(centerId, roomId, senderId);
    if (!found || found.member.removedAt) throw errors.notFound('The room');
    const earlier = await this.messages.findByClientMsgId(centerId, roomId, senderId, clientMsgId);
    if (earlier) return resultOf(earlier);
    return this.append(centerId, roomId, found.member, clientMsgId, body);
  }

  /** Encrypts, appends with the room's next seq (idempotent by clientMsgId), then pushes `message.created`. */
  private async append(centerId: string, roomId: string, member: RoomMember, clientMsgId: string, body: string): Promise<MessageSendResult> {
    const message = Object.assign(new Message(), {
      id: this.ids.uuid(),
      centerId,
      roomId,
      seq: 0,
      senderId: member.subjectId,
      clientMsgId,
      body: '',
      createdAt: this.clock.now(),
    });
    message.body = await this.cipher.sealBody(message, body);
    const outcome = await this.messages.append(message);
    if (outcome.kind === 'closed') {
      // closed since requireMember read it: a retry of an acked send still gets its stored row
      const stored = await this.messages.findByClientMsgId(centerId, roomId, member.subjectId, clientMsgId);
      if (stored) return resultOf(stored);
      throw errors.forbidden('This room is closed.');
    }
    if (outcome.kind === 'duplicate') {
      const stored = await this.messages.findByClientMsgId(centerId, roomId, member.subjectId, clientMsgId);
      if (!stored) throw new DomainError('INTERNAL', 'The message could not be stored.');
      return resultOf(stored);
    }
    message.seq = outcome.seq;
    const sender = { displayName: await this.cipher.memberName(member), role: member.role };
    this.publisher.to(roomFor.chat(roomId), 'message.created', this.view(message, body, sender));
    return resultOf(message);
  }

  async history(auth: AuthContext, dto: HistoryDto): Promise<RoomHistoryResult> {
    const { room } = await this.rooms.requireMember(auth, dto.roomId);
    const page = await this.messages.page(auth.centerId, room.id, { afterSeq: dto.afterSeq, beforeSeq: dto.beforeSeq, limit: dto.limit ?? DEFAULT_PAGE });
    if (page.length === 0) return { messages: [] };
    const senders = new Map((await this.rooms.listMembers(auth.centerId, room.id)).map((m) => [m.subjectId, m]));
    const messages = await Promise.all(page.map(async (m) => this.view(m, await this.cipher.body(m), senders.get(m.senderId))));
    return { messages };
  }

  private assertWritable(room: Room, member: RoomMember): void {
    if (room.closedAt) throw errors.forbidden('This room is closed.');
    if (member.muted) throw errors.forbidden('You are muted in this room.');
    const now = this.clock.now().getTime();
    if (room.startsAt && now < room.startsAt.getTime()) throw errors.forbidden(`This room opens for messages at ${room.startsAt.toISOString()}.`);
    if (room.endsAt && now >= room.endsAt.getTime())
      throw errors.forbidden(`This room closed for messages at ${room.endsAt.toISOString()}; it can still be read.`);
  }

  private view(m: Message, body: string, sender: Pick<RoomMemberView, 'displayName' | 'role'> | undefined): MessageView {
    return {
      roomId: m.roomId,
      id: m.id,
      seq: m.seq,
      clientMsgId: m.clientMsgId,
      sender: { id: m.senderId, displayName: sender?.displayName ?? 'Former member', role: sender?.role ?? 'client' },
      body,
      sentAt: m.createdAt.toISOString(),
    };
  }
}

function resultOf(m: Message): MessageSendResult {
  return { id: m.id, seq: m.seq, sentAt: m.createdAt.toISOString() };
}
