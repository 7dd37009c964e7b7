import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { Message } from './message.entity';
import { Room } from './room.entity';

export type AppendResult = { kind: 'stored'; seq: number } | { kind: 'duplicate' } | { kind: 'closed' };

export interface HistoryQuery {
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

const INSERT_SQL = 'INSERT INTO messages (id, center_id, room_id, seq, sender_id, client_msg_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const MAX_LOCK_RETRIES = 5;

/**
 * Messages, always scoped by center. `append` takes the room's next seq and inserts the message in
 * one transaction, so seq is gap-free and never doubles across nodes; a repeated
 * (room, sender, clientMsgId) hits the unique index and stores nothing.
 */
@Injectable()
export class MessagesRepository {
  constructor(
    @InjectRepository(Message) private readonly messageRepo: Repository<Message>,
    private readonly tx: Transactions,
  ) {}

  private get repo(): Repository<Message> {
    return this.tx.bind(this.messageRepo);
  }

  async append(m: Message): Promise<AppendResult> {
    const values = [m.id, m.centerId, m.roomId, 0, m.senderId, m.clientMsgId, m.body, sqlDate(m.createdAt)];
    if (!this.tx.mysql) return this.appendSqlite(m, values);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.appendMysql(m, values);
      } catch (err) {
        // A deadlock or lock wait timeout rolled the transaction back: nothing was stored, try again.
        const errno = (err as { driverError?: { errno?: number } }).driverError?.errno;
        if ((errno === 1213 || errno === 1205) && attempt < MAX_LOCK_RETRIES) continue;
        throw err;
      }
    }
  }

  private async appendMysql(m: Message, values: unknown[]): Promise<AppendResult> {
    try {
      return await this.tx.run(async (em): Promise<AppendResult> => {
        // MariaDB has no UPDATE … RETURNING: LAST_INSERT_ID(expr) hands the new value to this connection
        // (the transaction's EntityManager keeps one connection for all its queries).
        const upd = await em.query<{ affectedRows: number }>(
          'UPDATE rooms SET last_seq = LAST_INSERT_ID(last_seq + 1) WHERE id = ? AND center_id = ? AND closed_at IS NULL',
          [m.roomId, m.centerId],
        );
        if (upd.affectedRows !== 1) return { kind: 'closed' };
        const [row] = await em.query<{ seq: number | string }[]>('SELECT LAST_INSERT_ID() AS seq');
        const seq = Number(row?.seq);
        values[3] = seq;
        await em.query(INSERT_SQL, values);
        return { kind: 'stored', seq };
      });
    } catch (err) {
      if (isUniqueViolation(err)) return { kind: 'duplicate' };
      throw err;
    }
  }

  /**
   * SQLite: `Transactions` runs one transaction at a time on its one connection, so the duplicate
   * check, the seq step and the insert see no other append in between (and a duplicate rolls nothing back).
   */
  private async appendSqlite(m: Message, values: unknown[]): Promise<AppendResult> {
    try {
      return await this.tx.run(async (em): Promise<AppendResult> => {
        const dup = await em.query<unknown[]>('SELECT 1 AS d FROM messages WHERE room_id = ? AND sender_id = ? AND client_msg_id = ?', [
          m.roomId,
          m.senderId,
          m.clientMsgId,
        ]);
        if (dup.length > 0) return { kind: 'duplicate' };
        const [row] = await em.query<{ last_seq: number }[]>(
          'UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ? AND center_id = ? AND closed_at IS NULL RETURNING last_seq',
          [m.roomId, m.centerId],
        );
        if (!row) return { kind: 'closed' };
        values[3] = row.last_seq;
        await em.query(INSERT_SQL, values);
        return { kind: 'stored', seq: row.last_seq };
      });
    } catch (err) {
      if (isUniqueViolation(err)) return { kind: 'duplicate' };
      throw err;
    }
  }

  findByClientMsgId(centerId: string, roomId: string, senderId: string, clientMsgId: string): Promise<Message | null> {
    return this.repo.findOneBy({ centerId, roomId, senderId, clientMsgId });
  }

  /** A page in seq order: after `afterSeq` (oldest first), else before `beforeSeq` / the newest. */
  async page(centerId: string, roomId: string, q: HistoryQuery): Promise<Message[]> {
    if (!isUuid(roomId)) return [];
    const qb = this.repo.createQueryBuilder('m').where('m.center_id = :centerId AND m.room_id = :roomId', { centerId, roomId }).take(q.limit);
    if (q.afterSeq !== undefined) qb.andWhere('m.seq > :afterSeq', { afterSeq: q.afterSeq });
    if (q.beforeSeq !== undefined) qb.andWhere('m.seq < :beforeSeq', { beforeSeq: q.beforeSeq });
    if (q.afterSeq !== undefined) return qb.orderBy('m.seq', 'ASC').getMany();
    return (await qb.orderBy('m.seq', 'DESC').getMany()).reverse();
  }

  countInRoom(centerId: string, roomId: string): Promise<number> {
    return this.repo.countBy({ centerId, roomId });
  }

  async deleteRoomMessages(centerId: string, roomId: string): Promise<void> {
    if (isUuid(roomId)) await this.repo.delete({ centerId, roomId });
  }

  /** Which of these accounts have ever written a message in the center (ids only, no content). */
  async sendersAmong(centerId: string, senderIds: string[]): Promise<Set<string>> {
    const ids = senderIds.filter(isUuid);
    if (ids.length === 0) return new Set();
    const rows = await this.repo
      .createQueryBuilder('m')
      .select('DISTINCT m.sender_id', 'senderId')
      .where('m.center_id = :centerId AND m.sender_id IN (:...ids)', { centerId, ids })
      .getRawMany<{ senderId: string }>();
    return new Set(rows.map((r) => r.senderId));
  }

  async deleteBySender(centerId: string, senderId: string): Promise<void> {
    if (isUuid(senderId)) await this.repo.delete({ centerId, senderId });
  }

  /** Retention of one center: messages of its closed rooms of one kind, older than the cutoff. */
  async deleteOlderThanInClosedRooms(cutoff: Date, kind: Room['kind'], centerId: string): Promise<number> {
    if (!isUuid(centerId)) return 0;
    const r = await this.repo
      .createQueryBuilder()
      .delete()
      .from(Message)
      .where({ centerId, createdAt: LessThan(cutoff) })
      .andWhere('room_id IN (SELECT r.id FROM rooms r WHERE r.center_id = :centerId AND r.kind = :kind AND r.closed_at IS NOT NULL)', { centerId, kind })
      .execute();
    return r.affected ?? 0;
  }
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: what TypeORM stores for datetime on SQLite, and valid on MariaDB. */
function sqlDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
