import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { dbNow } from '../../infra/database/db-time';
import { LiveChat } from './live-chat.entity';
import { Shift } from './shift.entity';
import { VisitorBlock } from './visitor-block.entity';

const isDuplicate = (err: unknown): boolean => {
  const e = err as { code?: string; errno?: number; message?: string };
  return e.code === 'ER_DUP_ENTRY' || e.errno === 1062 || (e.code ?? '').startsWith('SQLITE_CONSTRAINT') || /UNIQUE constraint/.test(e.message ?? '');
};

/** Shifts, live chats and visitor blocks. Conditional updates decide races (one affected row wins). */
@Injectable()
export class LiveQueueRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectRepository(Shift) private readonly shifts: Repository<Shift>,
    @InjectRepository(LiveChat) private readonly chats: Repository<LiveChat>,
    @InjectRepository(VisitorBlock) private readonly blocks: Repository<VisitorBlock>,
  ) {}

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
      if (isDuplicate(err)) return false;
      throw err;
    }
  }

  async updateShift(centerId: string, id: string, patch: Partial<Pick<Shift, 'maxChats'>>): Promise<void> {
    await this.shifts.update({ centerId, id }, patch);
  }

  /** Closes an open shift; true only for the one caller whose update matched. */
  async closeShift(centerId: string, id: string, reason: string, onlyIfGraceDue = false): Promise<boolean> {
    const qb = this.shifts
      .createQueryBuilder()
      .update(Shift)
      .set({ closedAt: () => dbNow(this.ds), openKey: null, closeReason: reason, graceUntil: null })
      .where('center_id = :centerId AND id = :id AND closed_at IS NULL', { centerId, id });
    if (onlyIfGraceDue) qb.andWhere(`grace_until IS NOT NULL AND grace_until <= ${dbNow(this.ds)}`);
    return ((await qb.execute()).affected ?? 0) === 1;
  }

  /** Starts the grace period (database time) unless one runs already. */
  async startGrace(centerId: string, id: string, seconds: number): Promise<void> {
    await this.shifts
      .createQueryBuilder()
      .update(Shift)
      .set({ graceUntil: () => dbNow(this.ds, seconds) })
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

  /** Open shifts whose grace ended (all centers). */
  findGraceDue(): Promise<Shift[]> {
    return this.shifts
      .createQueryBuilder('s')
      .where(`s.closed_at IS NULL AND s.grace_until IS NOT NULL AND s.grace_until <= ${dbNow(this.ds)}`)
      .getMany();
  }

  /** Open shifts of every center (for the timeout sweep and the store restore). */
  findAllOpenShifts(): Promise<Shift[]> {
    return this.shifts.findBy({ closedAt: IsNull() });
  }

  // ---- live chats ------------------------------------------------------------------------------

  async insertChat(chat: LiveChat): Promise<void> {
    await this.chats.insert(chat);
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

  /** Ends a running chat; true only for the one caller whose update matched. */
  async endChat(centerId: string, id: string, reason: string): Promise<boolean> {
    const res = await this.chats
      .createQueryBuilder()
      .update(LiveChat)
      .set({ endedAt: () => dbNow(this.ds), endReason: reason })
      .where('center_id = :centerId AND id = :id AND ended_at IS NULL', { centerId, id })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  // ---- blocks ----------------------------------------------------------------------------------

  async isBlocked(centerId: string, visitorId: string): Promise<boolean> {
    return isUuid(visitorId) && (await this.blocks.countBy({ centerId, visitorId })) > 0;
  }

  async insertBlock(block: VisitorBlock): Promise<void> {
    try {
      await this.blocks.insert(block);
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
  }
}
