import { Injectable } from '@nestjs/common';
import { AuthContext } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { DomainError, errors } from '../../common/errors';
import type { MessageSendPayload, MessageSendResult, MessageView, RoomHistoryResult } from '../../realtime/contract';
import { Transactions } from '../../infra/database/transactions';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import { RealtimePublisher } from '../../realtime/publisher';
import { roomFor } from '../../realtime/room-names';
import { HistoryDto } from './dto/rooms.dto';
import { Message } from './message.entity';
import { MessagesRepository } from './messages.repository';
import { RoomCipherService } from './room-cipher.service';
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
    private readonly cipher: RoomCipherService,
    private readonly publisher: RealtimePublisher,
    private readonly limits: RateLimitService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  /** Which of these accounts have ever written a message (the admin's list of inactive clients). */
  sendersAmong(centerId: string, accountIds: string[]): Promise<Set<string>> {
    return this.messages.sendersAmong(centerId, accountIds);
  }

  async send(auth: AuthContext, dto: MessageSendPayload): Promise<MessageSendResult> {
    // mostly from this node's lease of the account's points: no store call, no await
    const limited = this.limits.consumeMessage(auth.subjectId);
    if (limited) await limited;
    // The node's cached room and membership decide at once; where they refuse, or the append's
    // transaction refuses what they allowed (a mute, a removal, a close or a new writing window
    // made on another node a moment ago, whose cache drop has not arrived here yet), the database's
    // rows decide. A retry of an acked send on a writable room: the append finds it (in the
    // transaction, by the unique index) and answers the stored row; no lookup before it.
    const cached = await this.rooms.requireSender(auth, dto.roomId);
    if (!this.refusal(cached.room, cached.member)) {
      const result = await this.append(auth.centerId, cached.room.id, cached.member, dto.clientMsgId, dto.body);
      if (result) return result;
    }
    const { room, member } = await this.rooms.requireSender(auth, dto.roomId, { fresh: true });
    const refusal = this.refusal(room, member);
    if (!refusal) {
      // writable by now (unmuted, back in its window a moment ago): the append decides once more
      const result = await this.append(auth.centerId, room.id, member, dto.clientMsgId, dto.body);
      if (result) return result;
    }
    // A retry of an acked send is answered with the stored row even once the room is closed or the
    // member muted; only a new message is refused.
    const earlier = await this.messages.findByClientMsgId(auth.centerId, room.id, auth.subjectId, dto.clientMsgId);
    if (earlier) return resultOf(earlier);
    throw refusal ?? errors.forbidden('You cannot write in this room at the moment.');
  }

  /**
   * The first message of a room that the open transaction created a moment ago (the live chat's
   * first message, written while the visitor waited), by one of its members: encrypted, seq 1 (the
   * append joins the transaction), `message.created` to the room once it commits. No membership or
   * duplicate look-up first: nobody else knows the room yet, and the unique index still guards it.
   */
  async postInNewRoom(
    centerId: string,
    roomId: string,
    sender: Pick<RoomMember, 'subjectId' | 'role'> & { displayName: string },
    clientMsgId: string,
    body: string,
  ): Promise<void> {
    if (!this.tx.active) throw new Error('postInNewRoom runs in the transaction that created the room');
    const message = await this.sealed(centerId, roomId, sender.subjectId, clientMsgId, body);
    const outcome = await this.messages.append(message);
    if (outcome.kind !== 'stored') throw new DomainError('INTERNAL', `The first message of a new room was not stored (${outcome.kind}).`);
    message.seq = outcome.seq;
    const view = this.view(message, body, sender);
    await this.tx.afterCommit(() => this.publisher.to(roomFor.chat(roomId), 'message.created', view));
  }

  /**
   * Encrypts, appends with the room's next seq (idempotent by clientMsgId), then pushes
   * `message.created`; null when the append's transaction refused it (MessagesRepository `refused`).
   */
  private async append(centerId: string, roomId: string, member: RoomMember, clientMsgId: string, body: string): Promise<MessageSendResult | null> {
    const message = await this.sealed(centerId, roomId, member.subjectId, clientMsgId, body);
    const outcome = await this.messages.append(message);
    if (outcome.kind === 'refused') return null;
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

  /** Why this member cannot write in this room now, or null. */
  private refusal(room: Room, member: RoomMember): DomainError | null {
    if (room.closedAt) return errors.forbidden('This room is closed.');
    if (member.muted) return errors.forbidden('You are muted in this room.');
    const now = this.clock.now().getTime();
    if (room.startsAt && now < room.startsAt.getTime()) return errors.forbidden(`This room opens for messages at ${room.startsAt.toISOString()}.`);
    if (room.endsAt && now >= room.endsAt.getTime())
      return errors.forbidden(`This room closed for messages at ${room.endsAt.toISOString()}; it can still be read.`);
    return null;
  }

  /** A new message row (seq 0 until the append gives it one) with its body encrypted by the sender's key in the room. */
  private async sealed(centerId: string, roomId: string, senderId: string, clientMsgId: string, body: string): Promise<Message> {
    const message = Object.assign(new Message(), {
      id: this.ids.uuid(),
      centerId,
      roomId,
      seq: 0,
      senderId,
      clientMsgId,
      body: '',
      createdAt: this.clock.now(),
    });
    message.body = await this.cipher.sealBody(message, body);
    return message;
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
