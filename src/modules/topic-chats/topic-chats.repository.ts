import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, IsNull, MoreThan, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { readDbNow } from '../../infra/database/db-time';
import { TopicChat } from './topic-chat.entity';
import { TopicParticipant } from './topic-participant.entity';

/** Topic chats and their participants; due times are decided with database time. */
@Injectable()
export class TopicChatsRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectRepository(TopicChat) private readonly chatsRepo: Repository<TopicChat>,
    @InjectRepository(TopicParticipant) private readonly participantsRepo: Repository<TopicParticipant>,
    private readonly tx: Transactions,
  ) {}

  private get chats(): Repository<TopicChat> {
    return this.tx.bind(this.chatsRepo);
  }

  private get participants(): Repository<TopicParticipant> {
    return this.tx.bind(this.participantsRepo);
  }

  dbNow(): Promise<Date> {
    return readDbNow(this.ds);
  }

  async insert(chat: TopicChat): Promise<void> {
    await this.chats.insert(chat);
  }

  async find(centerId: string, id: string): Promise<TopicChat | null> {
    return isUuid(id) ? this.chats.findOneBy({ centerId, id }) : null;
  }

  async findByRoom(centerId: string, roomId: string): Promise<TopicChat | null> {
    return isUuid(roomId) ? this.chats.findOneBy({ centerId, roomId }) : null;
  }

  listVisible(centerId: string, endedAfter: Date): Promise<TopicChat[]> {
    return this.chats.find({
      where: { centerId, status: In(['scheduled', 'open', 'ended']), endsAt: MoreThan(endedAfter) },
      order: { startsAt: 'ASC' },
      take: 200,
    });
  }

  async update(centerId: string, id: string, patch: Partial<Pick<TopicChat, 'title' | 'description' | 'startsAt' | 'endsAt' | 'capacity'>>): Promise<void> {
    await this.chats.update({ centerId, id }, patch);
  }

  /** Conditional status change; true for the one caller whose update matched. */
  async transition(centerId: string, id: string, from: TopicChat['status'][], to: TopicChat['status']): Promise<boolean> {
    const res = await this.chats
      .createQueryBuilder()
      .update(TopicChat)
      .set({ status: to })
      .where('center_id = :centerId AND id = :id AND status IN (:...from)', { centerId, id, from })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  /** Sets the room once, and only while the chat is not over. */
  async setRoomIfNone(centerId: string, id: string, roomId: string): Promise<boolean> {
    const res = await this.chats
      .createQueryBuilder()
      .update(TopicChat)
      .set({ roomId })
      .where("center_id = :centerId AND id = :id AND room_id IS NULL AND status IN ('scheduled', 'open')", { centerId, id })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  /** Chats whose window has begun by `now` (the database time) and have no room yet. */
  findDueToOpen(now: Date): Promise<TopicChat[]> {
    return this.chats
      .createQueryBuilder('t')
      .where("t.room_id IS NULL AND t.status IN ('scheduled', 'open') AND t.starts_at <= :now AND t.ends_at > :now", { now })
      .getMany();
  }

  /** Chats whose window has ended by `now` (the database time). */
  findDueToEnd(now: Date): Promise<TopicChat[]> {
    return this.chats.createQueryBuilder('t').where("t.status IN ('scheduled', 'open') AND t.ends_at <= :now", { now }).getMany();
  }

  async findCentersWithChats(): Promise<string[]> {
    const rows = await this.chats.createQueryBuilder('t').select('DISTINCT t.center_id', 'centerId').getRawMany<{ centerId: string }>();
    return rows.map((r) => r.centerId);
  }

  /** Takes a seat unless the chat is full (one conditional update, safe on any number of nodes). */
  async takeSeat(centerId: string, id: string): Promise<boolean> {
    const res = await this.chats
      .createQueryBuilder()
      .update(TopicChat)
      .set({ participantCount: () => 'participant_count + 1' })
      .where('center_id = :centerId AND id = :id AND participant_count < capacity', { centerId, id })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  async releaseSeat(centerId: string, id: string): Promise<void> {
    await this.chats
      .createQueryBuilder()
      .update(TopicChat)
      .set({ participantCount: () => 'participant_count - 1' })
      .where('center_id = :centerId AND id = :id AND participant_count > 0', { centerId, id })
      .execute();
  }

  findParticipant(centerId: string, topicChatId: string, subjectId: string): Promise<TopicParticipant | null> {
    return this.participants.findOneBy({ centerId, topicChatId, subjectId });
  }

  /** 'nickname' or 'subject' when a unique index refused the row. */
  async insertParticipant(p: TopicParticipant): Promise<'ok' | 'duplicate'> {
    try {
      await this.participants.insert(p);
      return 'ok';
    } catch (err) {
      if (isUniqueViolation(err)) return 'duplicate';
      throw err;
    }
  }

  /** Erases a subject's participations (account deletion) and frees their seats. */
  async deleteParticipantsOf(centerId: string, subjectId: string): Promise<void> {
    if (!isUuid(subjectId)) return;
    const rows = await this.participants.findBy({ centerId, subjectId });
    for (const p of rows) {
      const res = await this.participants.delete({ centerId, id: p.id });
      if ((res.affected ?? 0) > 0) await this.releaseSeat(centerId, p.topicChatId);
    }
  }

  /** Erases the nicknames of a chat that is over. */
  async deleteParticipantsOfChat(centerId: string, topicChatId: string): Promise<void> {
    await this.participants.delete({ centerId, topicChatId });
  }

  async markRemoved(centerId: string, topicChatId: string, subjectId: string, at: Date): Promise<void> {
    if (!isUuid(subjectId)) return;
    await this.participants.update({ centerId, topicChatId, subjectId, removedAt: IsNull() }, { removedAt: at });
  }
}
