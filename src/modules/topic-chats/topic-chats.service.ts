import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { createHmac } from 'node:crypto';
import { Cron, CronExpression, Interval } from '@nestjs/schedule';
import { AuthContext, isStaff, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { DomainError, errors } from '../../common/errors';
import { ACCOUNT_DELETING, AccountDeletingEvent, emitEvent, STAT_COUNTED } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import type { RoomRef, TopicChatListItem } from '../../realtime/contract';
import { AccountsService } from '../accounts/accounts.service';
import type { RequestOrigin } from '../auth/auth.service';
import { CentersService } from '../centers/centers.service';
import { CryptoService } from '../crypto/crypto.service';
import { MASTER_KEY } from '../../infra/crypto/master-key';
import { RoomsService } from '../rooms/rooms.service';
import { CreateTopicChatDto, TopicJoinDto, TopicModerateDto, UpdateTopicChatDto } from './dto/topic-chats.dto';
import { foldNickname, nicknameProblem } from './nickname';
import { TopicChat } from './topic-chat.entity';
import { TopicChatsRepository } from './topic-chats.repository';
import { TopicParticipant } from './topic-participant.entity';

const DAY_MS = 24 * 60 * 60 * 1000;
const LEGACY_NICKNAME = 'Gast';
const nicknameCtx = (centerId: string, rowId: string) => ({ centerId, table: 'topic_participants', column: 'nickname_enc', rowId });
/** Ended chats stay in the public list this long. */
const LIST_ENDED_MS = DAY_MS;

/**
 * Scheduled anonymous topic chats: staff schedule, edit and cancel them; visitors and clients join
 * inside the window under a nickname; the host mutes and removes; the chat opens and closes itself
 * (every node sweeps, a conditional update picks the one that acts).
 */
@Injectable()
export class TopicChatsService {
  private readonly logger = new Logger('TopicChats');

  constructor(
    private readonly repo: TopicChatsRepository,
    private readonly rooms: RoomsService,
    private readonly centers: CentersService,
    private readonly accounts: AccountsService,
    private readonly limits: RateLimitService,
    private readonly crypto: CryptoService,
    @Inject(MASTER_KEY) private readonly masterKey: Buffer,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
    private readonly events: EventEmitter2,
  ) {}

  // ---- staff: schedule, edit, cancel -----------------------------------------------------------

  /** Staff of the center (the REST guard has checked that `:center` is the caller's). */
  async create(auth: AuthContext, dto: CreateTopicChatDto): Promise<{ id: string }> {
    requireRole(auth, 'counselor', 'admin');
    const { startsAt, endsAt } = window(dto.startsAt, dto.endsAt);
    const chat = Object.assign(new TopicChat(), {
      id: this.ids.uuid(),
      centerId: auth.centerId,
      hostId: auth.subjectId,
      title: dto.title.trim(),
      description: dto.description.trim(),
      startsAt,
      endsAt,
      capacity: dto.capacity,
      participantCount: 0,
      status: 'scheduled' as const,
      roomId: null,
      createdAt: this.clock.now(),
    });
    if (!chat.title) throw errors.validation('The title may not be empty.', ['title']);
    await this.repo.insert(chat);
    return { id: chat.id };
  }

  async update(auth: AuthContext, id: string, dto: UpdateTopicChatDto): Promise<TopicChatListItem> {
    const chat = await this.editable(auth, id);
    const { startsAt, endsAt } = window(dto.startsAt ?? chat.startsAt.toISOString(), dto.endsAt ?? chat.endsAt.toISOString());
    if (dto.capacity !== undefined && dto.capacity < chat.participantCount) {
      throw errors.validation(`${chat.participantCount} people have joined already; the capacity cannot be lower.`, ['capacity']);
    }
    // the chat and its room's window: both or neither
    const fresh = await this.tx.run(async () => {
      await this.repo.update(auth.centerId, chat.id, {
        title: dto.title?.trim() || chat.title,
        description: dto.description?.trim() ?? chat.description,
        startsAt,
        endsAt,
        capacity: dto.capacity ?? chat.capacity,
      });
      // a running chat's room enforces the window for message.send: it moves with the chat
      if (chat.roomId) await this.rooms.setWindow(auth.centerId, chat.roomId, startsAt, endsAt);
      return (await this.repo.find(auth.centerId, chat.id))!;
    });
    return toListItem(fresh, await this.repo.dbNow());
  }

  async cancel(auth: AuthContext, id: string): Promise<void> {
    const chat = await this.editable(auth, id);
    // the status, the nicknames, the room's close, its messages, members and their keys: all or nothing
    await this.tx.run(async () => {
      if (!(await this.repo.transition(chat.centerId, chat.id, ['scheduled', 'open'], 'cancelled'))) return;
      const roomId = (await this.repo.find(auth.centerId, chat.id))?.roomId;
      // a cancelled chat keeps nothing: no messages, no nicknames
      await this.repo.deleteParticipantsOfChat(auth.centerId, chat.id);
      if (roomId) {
        await this.rooms.closeRoom(auth.centerId, roomId, 'cancelled', { deleteMessages: true });
        await this.rooms.forgetMembers(auth.centerId, roomId);
      }
    });
  }

  /** The public listing: cancelled chats are hidden, ended ones shown for a day. */
  async list(slug: string): Promise<TopicChatListItem[]> {
    const center = await this.centers.bySlug(slug);
    const now = await this.repo.dbNow();
    return (await this.repo.listVisible(center.id, new Date(now.getTime() - LIST_ENDED_MS))).map((c) => toListItem(c, now));
  }

  // ---- participants ----------------------------------------------------------------------------

  async join(auth: AuthContext, dto: TopicJoinDto, origin: RequestOrigin): Promise<RoomRef> {
    const chat = await this.repo.find(auth.centerId, dto.topicChatId);
    if (!chat || chat.status === 'cancelled') throw errors.notFound('The topic chat');
    const now = await this.repo.dbNow();
    if (chat.status === 'ended' || now >= chat.endsAt) {
      throw new DomainError('TOPIC_NOT_OPEN', `This topic chat has ended (it started at ${chat.startsAt.toISOString()}).`);
    }
    if (now < chat.startsAt) throw new DomainError('TOPIC_NOT_OPEN', `This topic chat opens at ${chat.startsAt.toISOString()}.`);
    const roomId = await this.ensureRoom(chat);
    if (isStaff(auth)) {
      await this.rooms.addMember(auth.centerId, roomId, { subjectId: auth.subjectId, role: 'counselor', displayName: auth.displayName });
      return { roomId };
    }
    const existing = await this.repo.findParticipant(chat.centerId, chat.id, auth.subjectId);
    if (existing) return this.rejoin(existing, roomId);
    await this.limits.consume('topicJoinAddress', await this.limits.addressKey(origin.ip));
    const nickname = dto.nickname.trim();
    const problem = nicknameProblem(nickname, await this.accounts.staffDisplayNames(auth.centerId));
    if (problem) throw errors.validation(problem, ['nickname']);
    // the seat, the participant and the room membership: all or nothing
    return this.tx.run(async () => {
      if (!(await this.repo.takeSeat(chat.centerId, chat.id))) throw new DomainError('TOPIC_FULL', 'This topic chat is full.');
      const id = this.ids.uuid();
      const participant = Object.assign(new TopicParticipant(), {
        id,
        centerId: auth.centerId,
        topicChatId: chat.id,
        subjectId: auth.subjectId,
        role: auth.role,
        nicknameEnc: await this.crypto.encrypt(nicknameCtx(auth.centerId, id), nickname),
        nicknameHash: this.nicknameHash(chat.id, nickname),
        joinedAt: this.clock.now(),
        removedAt: null,
      });
      if ((await this.repo.insertParticipant(participant)) === 'duplicate') {
        await this.repo.releaseSeat(chat.centerId, chat.id);
        const raced = await this.repo.findParticipant(chat.centerId, chat.id, auth.subjectId);
        if (raced) return this.rejoin(raced, roomId);
        throw errors.validation('This nickname is taken in this chat. Please choose another one.', ['nickname']);
      }
      await this.rooms.addMember(auth.centerId, roomId, { subjectId: auth.subjectId, role: auth.role, displayName: nickname });
      // statistics: a new participant (not a rejoin, not staff), once the seat is committed
      await this.tx.afterCommit(
        () => void emitEvent(this.events, STAT_COUNTED, { centerId: chat.centerId, metric: 'topic.participants', at: this.clock.now() }),
      );
      return { roomId };
    });
  }

  private async rejoin(p: TopicParticipant, roomId: string): Promise<RoomRef> {
    if (p.removedAt) throw errors.forbidden('You were removed from this topic chat.');
    // a row from before the encryption has no nickname any more; the room keeps the name it showed
    const nickname = p.nicknameEnc ? await this.crypto.decrypt(nicknameCtx(p.centerId, p.id), p.nicknameEnc) : LEGACY_NICKNAME;
    await this.rooms.addMember(p.centerId, roomId, { subjectId: p.subjectId, role: p.role, displayName: nickname });
    return { roomId };
  }

  /** Uniqueness without a readable name: a keyed hash of the chat and the look-alike skeleton. */
  private nicknameHash(topicChatId: string, nickname: string): string {
    return createHmac('sha256', this.masterKey)
      .update(`topic-nickname|${topicChatId}|${foldNickname(nickname)}`)
      .digest('hex');
  }

  async mute(auth: AuthContext, dto: TopicModerateDto): Promise<Record<string, never>> {
    await this.moderated(auth, dto);
    await this.rooms.setMuted(auth.centerId, dto.roomId, dto.participantId, dto.muted ?? true);
    return {};
  }

  async remove(auth: AuthContext, dto: TopicModerateDto): Promise<Record<string, never>> {
    const chat = await this.moderated(auth, dto);
    // the participant and the room membership: both or neither (the removed one hears of it after the commit)
    await this.tx.run(async () => {
      await this.repo.markRemoved(auth.centerId, chat.id, dto.participantId, this.clock.now());
      await this.rooms.removeMember(auth.centerId, dto.roomId, dto.participantId, 'removed');
    });
    return {};
  }

  /** A deleted client's nicknames go with the account, and their seats are freed. */
  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  async onAccountDeleting(event: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteParticipantsOf(event.centerId, event.accountId);
  }

  // ---- time-driven -----------------------------------------------------------------------------

  /**
   * Opens due chats (creates the room) and ends the chats past endsAt, each exactly once. The
   * database decides what is due (one clock for every node), read once per sweep; `at` stands in
   * for it (a test moving time).
   */
  @Interval(2000)
  async sweep(at?: Date): Promise<void> {
    try {
      const now = at ?? (await this.repo.dbNow());
      for (const chat of await this.repo.findDueToOpen(now)) await this.ensureRoom(chat);
      for (const chat of await this.repo.findDueToEnd(now)) await this.end(chat);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'topic chat sweep failed');
    }
  }

  private async end(chat: TopicChat): Promise<void> {
    const center = await this.centers.byId(chat.centerId);
    // the status, the room's close and (without a transcript) its messages, nicknames, members and keys: all or nothing
    await this.tx.run(async () => {
      if (!(await this.repo.transition(chat.centerId, chat.id, ['scheduled', 'open'], 'ended'))) return;
      const roomId = (await this.repo.find(chat.centerId, chat.id))?.roomId;
      if (!roomId) return;
      await this.rooms.closeRoom(chat.centerId, roomId, 'ended', { deleteMessages: !center.keepTopicTranscripts });
      // without a transcript the nicknames have no reason to stay
      if (!center.keepTopicTranscripts) {
        await this.repo.deleteParticipantsOfChat(chat.centerId, chat.id);
        await this.rooms.forgetMembers(chat.centerId, roomId);
      }
    });
  }

  /** Deletes kept topic transcripts of each center after that center's retention. */
  @Cron(CronExpression.EVERY_HOUR)
  async sweepRetention(): Promise<number> {
    const ids = await this.repo.findCentersWithChats().catch(() => [] as string[]);
    const centers = await Promise.all(ids.map((id) => this.centers.byId(id).catch(() => null)));
    const policies = centers.flatMap((c) => (c ? [{ id: c.id, keep: c.keepTopicTranscripts, days: c.transcriptRetentionDays }] : []));
    return this.rooms.applyRetention('topic', policies, this.clock.now());
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** The room of an open chat, created once: a loser of a creation race keeps nothing of its spare room. */
  private async ensureRoom(chat: TopicChat): Promise<string> {
    if (chat.roomId) return chat.roomId;
    const hostName = (await this.accounts.displayName(chat.centerId, chat.hostId)) ?? 'Beratung';
    // the status, the room with its host and the chat's link to it: all or nothing
    const created = await this.tx
      .run(async () => {
        await this.repo.transition(chat.centerId, chat.id, ['scheduled'], 'open');
        const { roomId } = await this.rooms.createSystemRoom({
          centerId: chat.centerId,
          kind: 'topic',
          name: chat.title,
          members: [{ subjectId: chat.hostId, role: 'counselor', displayName: hostName }],
          startsAt: chat.startsAt,
          endsAt: chat.endsAt,
        });
        // another call linked its room first: roll the spare room back (nobody was told of it)
        if (!(await this.repo.setRoomIfNone(chat.centerId, chat.id, roomId))) throw new LostRoomRace();
        // statistics: the chat is held (its room exists once, whoever opened it)
        await this.tx.afterCommit(() => void emitEvent(this.events, STAT_COUNTED, { centerId: chat.centerId, metric: 'topic.held', at: this.clock.now() }));
        return roomId;
      })
      .catch((err: unknown) => {
        if (err instanceof LostRoomRace) return null;
        throw err;
      });
    if (created) return created;
    // read after the transaction: on MariaDB its snapshot may predate the winner's commit
    const fresh = await this.repo.find(chat.centerId, chat.id);
    if (!fresh?.roomId) throw new DomainError('TOPIC_NOT_OPEN', 'This topic chat is not open.');
    return fresh.roomId;
  }

  /** The host or an admin of the center, and only before the chat is over. */
  private async editable(auth: AuthContext, id: string): Promise<TopicChat> {
    requireRole(auth, 'counselor', 'admin');
    const chat = await this.repo.find(auth.centerId, id);
    if (!chat || chat.status === 'cancelled') throw errors.notFound('The topic chat');
    if (chat.hostId !== auth.subjectId && auth.role !== 'admin') throw errors.forbidden('Only the host or an admin can change this topic chat.');
    if (chat.status === 'ended') throw errors.conflict('This topic chat has ended.');
    return chat;
  }

  /** Somebody else's topic room answers as one that does not exist: no existence oracle. */
  private async moderated(auth: AuthContext, dto: TopicModerateDto): Promise<TopicChat> {
    const chat = await this.repo.findByRoom(auth.centerId, dto.roomId);
    if (!chat || (chat.hostId !== auth.subjectId && auth.role !== 'admin')) throw errors.notFound('The topic chat');
    if (dto.participantId === chat.hostId) throw errors.validation('The host cannot be moderated.', ['participantId']);
    return chat;
  }
}

/** Thrown inside ensureRoom's transaction to roll back a room that lost the race to be the chat's room. */
class LostRoomRace extends Error {}

function window(startsAtIso: string, endsAtIso: string): { startsAt: Date; endsAt: Date } {
  const startsAt = new Date(startsAtIso);
  const endsAt = new Date(endsAtIso);
  if (Number.isNaN(startsAt.getTime()) || Number.isNaN(endsAt.getTime())) throw errors.validation('Invalid dates.', ['startsAt', 'endsAt']);
  if (endsAt <= startsAt) throw errors.validation('The end must come after the start.', ['endsAt']);
  if (endsAt.getTime() - startsAt.getTime() > 7 * DAY_MS) throw errors.validation('A topic chat lasts at most seven days.', ['endsAt']);
  return { startsAt, endsAt };
}

function toListItem(c: TopicChat, now: Date): TopicChatListItem {
  const status = c.status === 'ended' || now >= c.endsAt ? 'ended' : now >= c.startsAt ? 'open' : 'scheduled';
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt.toISOString(),
    status,
    capacity: c.capacity,
  };
}
