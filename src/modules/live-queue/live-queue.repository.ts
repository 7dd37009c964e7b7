import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, LessThanOrEqual, MoreThanOrEqual, Not, Repository } from 'typeorm';
import type { LiveEndReason } from '../../realtime/contract';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { readDbNow } from '../../infra/database/db-time';
import { LiveChat } from './live-chat.entity';
import { Shift } from './shift.entity';
import { VisitorBlock } from './visitor-block.entity';

/** Shifts, live chats and visitor blocks. Conditional updates decide races (one affected row wins). */
@Injectable()
export class LiveQueueRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectRepository(Shift) private readonly shiftsRepo: Repository<Shift>,
    @InjectRepository(LiveChat) private readonly chatsRepo: Repository<LiveChat>,
    @InjectRepository(VisitorBlock) private readonly blocksRepo: Repository<VisitorBlock>,
    private readonly tx: Transactions,
  ) {}

  private get shifts(): Repository<Shift> {
    return this.tx.bind(this.shiftsRepo);
  }

  private get chats(): Repository<LiveChat> {
    return this.tx.bind(this.chatsRepo);
  }

  private get blocks(): Repository<VisitorBlock> {
    return this.tx.bind(this.blocksRepo);
  }

  // ---- shifts ----------------------------------------------------------------------------------

  findOpenShift(centerId: string, counselorId: string): Promise<Shift | null> {
    if (!isUuid(counselorId)) return Promise.resolve(null);
    return this.shifts.findOneBy({ centerId, counselorId, closedAt: IsNull() });
  }

  /** false when the counselor has an open shift already (unique open_key). */
  async insertShift(shift: Shift): Promise<boolean> {
    try {
      await this.shifts.insert(shift);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** An open shift opened again: the new maxChats and no grace running, in one write. */
  async reopenShift(centerId: string, id: string, maxChats: number): Promise<void> {
    await this.shifts
      .createQueryBuilder()
      .update(Shift)
      .set({ maxChats, graceUntil: null })
      .where('center_id = :centerId AND id = :id AND closed_at IS NULL', { centerId, id })
      .execute();
  }

  /** The database clock (one query): due times are decided by it, so every node decides alike. */
  dbNow(): Promise<Date> {
    return readDbNow(this.ds);
  }

  /**
   * Closes an open shift; true only for the one caller whose update matched. `graceDueAt` (the
   * sweep's database time): only if its grace ended by then.
   */
  async closeShift(centerId: string, id: string, reason: string, graceDueAt?: Date): Promise<boolean> {
    const now = graceDueAt ?? (await this.dbNow());
    const qb = this.shifts
      .createQueryBuilder()
      .update(Shift)
      .set({ closedAt: now, openKey: null, closeReason: reason, graceUntil: null })
      .where('center_id = :centerId AND id = :id AND closed_at IS NULL', { centerId, id });
    if (graceDueAt) qb.andWhere('grace_until IS NOT NULL AND grace_until <= :now', { now });
    return ((await qb.execute()).affected ?? 0) === 1;
  }

  /** Starts the grace period (database time) unless one runs already. */
  async startGrace(centerId: string, id: string, seconds: number, now?: Date): Promise<void> {
    const from = now ?? (await this.dbNow());
    await this.shifts
      .createQueryBuilder()
      .update(Shift)
      .set({ graceUntil: new Date(from.getTime() + Math.trunc(seconds) * 1000) })
      .where('center_id = :centerId AND id = :id AND closed_at IS NULL AND grace_until IS NULL', { centerId, id })
      .execute();
  }

  async clearGrace(centerId: string, id: string): Promise<void> {
    await this.shifts
      .createQueryBuilder()
      .update(Shift)
      .set({ graceUntil: null })
      .where('center_id = :centerId AND id = :id AND closed_at IS NULL', { centerId, id })
      .execute();
  }

  /** Open shifts whose grace ended by `now` (the database time; all centers). */
  findGraceDue(now: Date): Promise<Shift[]> {
    return this.shifts.createQueryBuilder('s').where('s.closed_at IS NULL AND s.grace_until IS NOT NULL AND s.grace_until <= :now', { now }).getMany();
  }

  /** The open shifts of one center (the admin's live overview). */
  findOpenShifts(centerId: string): Promise<Shift[]> {
    return this.shifts.findBy({ centerId, closedAt: IsNull() });
  }

  /** Open shifts of every center (for the timeout sweep and the store restore). */
  findAllOpenShifts(): Promise<Shift[]> {
    return this.shifts.findBy({ closedAt: IsNull() });
  }

  // ---- live chats ------------------------------------------------------------------------------

  /** Every column is set by the caller: no re-read of the defaults after the insert. */
  async insertChat(chat: LiveChat): Promise<void> {
    await this.chats.createQueryBuilder().insert().into(LiveChat).values(chat).updateEntity(false).execute();
  }

  async findChatByRoom(centerId: string, roomId: string): Promise<LiveChat | null> {
    return isUuid(roomId) ? this.chats.findOneBy({ centerId, roomId }) : null;
  }

  async findRunningChatOfVisitor(centerId: string, visitorId: string): Promise<LiveChat | null> {
    return isUuid(visitorId) ? this.chats.findOneBy({ centerId, visitorId, endedAt: IsNull() }) : null;
  }

  async findCentersWithChats(): Promise<string[]> {
    const rows = await this.chats.createQueryBuilder('c').select('DISTINCT c.center_id', 'centerId').getRawMany<{ centerId: string }>();
    return rows.map((r) => r.centerId);
  }

  findRunningChats(centerId: string): Promise<LiveChat[]> {
    return this.chats.findBy({ centerId, endedAt: IsNull() });
  }

  findRunningChatsOfCounselor(centerId: string, counselorId: string): Promise<LiveChat[]> {
    if (!isUuid(counselorId)) return Promise.resolve([]);
    return this.chats.find({ where: { centerId, counselorId, endedAt: IsNull() }, order: { assignedAt: 'ASC' } });
  }

  /**
   * Ends a running chat; true only for the one caller whose update matched. The address hash goes
   * with it (a block keeps its own copy).
   */
  async endChat(centerId: string, id: string, reason: LiveEndReason): Promise<boolean> {
    const endedAt = await this.dbNow();
    const res = await this.chats
      .createQueryBuilder()
      .update(LiveChat)
      .set({ endedAt, endReason: reason, addressHash: null, visitorAwaySince: null, counselorAwaySince: null })
      .where('center_id = :centerId AND id = :id AND ended_at IS NULL', { centerId, id })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  /** Moves a running chat from one counselor to another; true only when it still ran with `from`. */
  async reassignChat(centerId: string, id: string, from: string, to: string): Promise<boolean> {
    const res = await this.chats
      .createQueryBuilder()
      .update(LiveChat)
      .set({ counselorId: to })
      .where('center_id = :centerId AND id = :id AND counselor_id = :from AND ended_at IS NULL', { centerId, id, from })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  /** Marks the visitor of a running chat as gone since `at` (unless marked already); true when this call did it. */
  async markVisitorAway(centerId: string, id: string, at: Date): Promise<boolean> {
    const res = await this.chats
      .createQueryBuilder()
      .update(LiveChat)
      .set({ visitorAwaySince: at })
      .where('center_id = :centerId AND id = :id AND ended_at IS NULL AND visitor_away_since IS NULL', { centerId, id })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  /** The visitor is back; true when this call cleared the mark. */
  async clearVisitorAway(centerId: string, id: string): Promise<boolean> {
    const res = await this.chats
      .createQueryBuilder()
      .update(LiveChat)
      .set({ visitorAwaySince: null })
      .where('center_id = :centerId AND id = :id AND ended_at IS NULL AND visitor_away_since IS NOT NULL', { centerId, id })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  /** Marks the counselor of these running chats as gone since `at` (where not marked yet): the chats this call marked. */
  async markCounselorAway(centerId: string, counselorId: string, at: Date): Promise<LiveChat[]> {
    const chats = await this.findRunningChatsOfCounselor(centerId, counselorId);
    const marked: LiveChat[] = [];
    for (const c of chats) {
      const res = await this.chats
        .createQueryBuilder()
        .update(LiveChat)
        .set({ counselorAwaySince: at })
        .where('center_id = :centerId AND id = :id AND counselor_id = :counselorId AND ended_at IS NULL AND counselor_away_since IS NULL', {
          centerId,
          id: c.id,
          counselorId,
        })
        .execute();
      if ((res.affected ?? 0) === 1) marked.push(c);
    }
    return marked;
  }

  /**
   * Clears the counselor's away mark of one chat; true only for the one caller whose update matched
   * (the counselor's return, or the sweep that claims the chat to hand it over or end it).
   */
  async clearCounselorAway(centerId: string, id: string): Promise<boolean> {
    const res = await this.chats
      .createQueryBuilder()
      .update(LiveChat)
      .set({ counselorAwaySince: null })
      .where('center_id = :centerId AND id = :id AND ended_at IS NULL AND counselor_away_since IS NOT NULL', { centerId, id })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  /** Running chats (all centers) whose counselor counts as present. */
  findRunningChatsWithCounselorPresent(): Promise<LiveChat[]> {
    return this.chats.findBy({ endedAt: IsNull(), counselorAwaySince: IsNull() });
  }

  /** Running chats (all centers) whose counselor is marked gone. */
  findCounselorAway(): Promise<LiveChat[]> {
    return this.chats.findBy({ endedAt: IsNull(), counselorAwaySince: Not(IsNull()) });
  }

  /** Running chats (all centers) whose visitor has been gone since `cutoff` or longer. */
  findVisitorGone(cutoff: Date): Promise<LiveChat[]> {
    return this.chats.findBy({ endedAt: IsNull(), visitorAwaySince: LessThanOrEqual(cutoff) });
  }

  /** Running chats (all centers) whose visitor counts as present (the ghost sweep checks their sockets). */
  findRunningWithVisitorPresent(): Promise<LiveChat[]> {
    return this.chats.findBy({ endedAt: IsNull(), visitorAwaySince: IsNull() });
  }

  /** The waits of this center's latest assignments since `since` that came through the line (newest first). */
  async recentWaits(centerId: string, since: Date, limit: number): Promise<number[]> {
    const rows = await this.chats.find({
      select: { waitedMs: true },
      where: { centerId, assignedAt: MoreThanOrEqual(since), waitedMs: Not(0) },
      order: { assignedAt: 'DESC' },
      take: limit,
    });
    return rows.map((r) => r.waitedMs);
  }

  // ---- blocks ----------------------------------------------------------------------------------

  /**
   * A block of this visitor id or of one of these address hashes (today's and yesterday's key) that
   * has not expired: one indexed lookup (`LIMIT 1`), built without the find-options layer (on every join).
   */
  async isBlocked(centerId: string, visitorId: string, addressHashes: string[], now: Date): Promise<boolean> {
    if (!isUuid(visitorId)) return false;
    const qb = this.blocks
      .createQueryBuilder('b')
      .select('1', 'hit')
      .where('b.center_id = :centerId', { centerId })
      .andWhere('(b.expires_at IS NULL OR b.expires_at > :now)', { now });
    if (addressHashes.length > 0) qb.andWhere('(b.visitor_id = :visitorId OR b.address_hash IN (:...addressHashes))', { visitorId, addressHashes });
    else qb.andWhere('b.visitor_id = :visitorId', { visitorId });
    return (await qb.limit(1).getRawOne<{ hit: unknown }>()) !== undefined;
  }

  async insertBlock(block: VisitorBlock): Promise<void> {
    try {
      await this.blocks.insert(block);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // the same visitor blocked again: the newer block (address, expiry) wins
      await this.blocks.update({ centerId: block.centerId, visitorId: block.visitorId }, { addressHash: block.addressHash, expiresAt: block.expiresAt });
    }
  }

  /** Expired blocks (and their address hashes) are kept for nothing. */
  async deleteExpiredBlocks(now: Date): Promise<number> {
    return (await this.blocks.delete({ expiresAt: LessThanOrEqual(now) })).affected ?? 0;
  }
}
