import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { Message } from './message.entity';
import { Room } from './room.entity';

/**
 * `refused`: the room's and the sender's rows, as the append's transaction reads them, do not let
 * this message in (the room is closed, another center's or outside its writing window; the sender
 * is muted or no longer an active member). A node's cached membership can be a moment older than
 * a change made on another node; the database decides.
 */
export type AppendResult = { kind: 'stored'; seq: number } | { kind: 'duplicate' } | { kind: 'refused' };

export interface HistoryQuery {
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

const INSERT_SQL = 'INSERT INTO messages (id, center_id, room_id, seq, sender_id, client_msg_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_HEAD = 'INSERT INTO messages (id, center_id, room_id, seq, sender_id, client_msg_id, body, created_at) VALUES';
const ROW_MARKS = '(?, ?, ?, ?, ?, ?, ?, ?)';
const MAX_LOCK_RETRIES = 5;
/**
 * The seq step of one message, taken only while the room is open and in its writing window at the
 * message's time and the sender an active, unmuted member (parameters: room id, center id, sender
 * id, the message's time twice).
 */
const WRITABLE =
  'id = ? AND center_id = ? AND closed_at IS NULL' +
  ' AND EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = rooms.id AND m.subject_id = ? AND m.removed_at IS NULL AND m.muted = 0)' +
  ' AND (starts_at IS NULL OR starts_at <= ?) AND (ends_at IS NULL OR ends_at > ?)';
/** At most this many messages per group commit (bounded statement size). */
const MAX_BATCH = 200;
/** MariaDB: how long the first send of an idle moment waits for others to share its transaction. */
const MYSQL_LINGER_MS = 1;

interface PendingAppend {
  m: Message;
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Messages, always scoped by center. `append` takes the room's next seq and inserts the message in
 * one transaction, so seq is gap-free and never doubles across nodes; a repeated
 * (room, sender, clientMsgId) hits the unique index and stores nothing.
 */
@Injectable()
export class MessagesRepository {
  /** Appends waiting for the next group commit, in arrival order. */
  private readonly pending: PendingAppend[] = [];
  private flushing = false;
  private readonly logger = new Logger('Messages');
  private lastBatchWarning = -Infinity;

  constructor(
    @InjectRepository(Message) private readonly messageRepo: Repository<Message>,
    private readonly tx: Transactions,
  ) {}

  private get repo(): Repository<Message> {
    return this.tx.bind(this.messageRepo);
  }

  /**
   * Group commit: appends that arrive while a batch is being written wait and go together into the
   * next transaction (one BEGIN/COMMIT, one room lock per room, one multi-row INSERT), each answered
   * once that transaction committed. Inside an open transaction (a caller's larger write) an append
   * joins that transaction instead, alone. A batch that fails is written again one message at a time,
   * so one bad message never fails or loses the others.
   */
  append(m: Message): Promise<AppendResult> {
    if (this.tx.active) return this.appendOne(m);
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ m, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // the sends that arrive in this turn of the event loop make the first batch; on MariaDB
        // those of the next millisecond too (every transaction there costs ~5 round trips)
        if (this.tx.mysql) setTimeout(() => void this.flush(), MYSQL_LINGER_MS);
        else setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        if (batch.length === 1) {
          const [one] = batch as [PendingAppend];
          await this.appendOne(one.m).then(one.resolve, one.reject);
          continue;
        }
        let results: AppendResult[] | null = null;
        try {
          results = await this.appendBatch(batch.map((b) => b.m));
        } catch (err) {
          results = null; // rolled back as a whole: nothing of it was stored
          // at most one line every 5 s (monotonic time): a failing batch under load repeats
          if (performance.now() - this.lastBatchWarning > 5000) {
            this.lastBatchWarning = performance.now();
            this.logger.warn({ err: (err as Error).message, messages: batch.length }, 'a group commit failed; writing its messages one by one');
          }
        }
        if (results) batch.forEach((b, i) => b.resolve(results[i] as AppendResult));
        // one by one, in arrival order: each gets its own outcome (and its own error)
        else for (const b of batch) await this.appendOne(b.m).then(b.resolve, b.reject);
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * One transaction for many messages of many rooms. Per room: its row locked, the messages that
   * are not duplicates (in the database or earlier in the batch) get consecutive seqs after
   * `last_seq`, which moves by their number. A closed room (or another center's, or one outside its
   * writing window) and a sender who is not an active, unmuted member store nothing (`refused`).
   */
  private appendBatch(batch: Message[]): Promise<AppendResult[]> {
    const mysql = this.tx.mysql;
    return this.tx.run(async (em): Promise<AppendResult[]> => {
      const roomIds = [...new Set(batch.map((m) => m.roomId))].sort();
      const marks = roomIds.map(() => '?').join(', ');
      // MariaDB: FOR UPDATE locks the rows (in primary-key order) and reads their newest committed
      // version; SQLite: the transaction holds the database's write lock already (BEGIN IMMEDIATE).
      const rooms = await em.query<RoomRow[]>(
        `SELECT id, center_id, last_seq, closed_at, starts_at, ends_at FROM rooms WHERE id IN (${marks})${mysql ? ' FOR UPDATE' : ''}`,
        roomIds,
      );
      const byId = new Map(rooms.map((r) => [r.id, r]));
      // One exact probe of the unique index per message (room, sender, clientMsgId). `room_id IN (…)
      // AND client_msg_id IN (…)` searched the index by room_id alone: every message of every room
      // in the batch was read, a cost that grew with the rooms' history.
      const stored = await em.query<{ room_id: string; sender_id: string; client_msg_id: string }[]>(
        `SELECT room_id, sender_id, client_msg_id FROM messages WHERE ${batch.map(() => '(room_id = ? AND sender_id = ? AND client_msg_id = ?)').join(' OR ')}`,
        batch.flatMap((m) => [m.roomId, m.senderId, m.clientMsgId]),
      );
      // who may write, by the primary key of each (room, sender): a mute or removal made on another
      // node a moment ago counts even where this node's cache has not heard of it yet
      const senders = [...new Map(batch.map((m) => [`${m.roomId}|${m.senderId}`, m])).values()];
      const writers = await em.query<{ room_id: string; subject_id: string }[]>(
        `SELECT room_id, subject_id FROM room_members WHERE removed_at IS NULL AND muted = 0 AND (${senders.map(() => '(room_id = ? AND subject_id = ?)').join(' OR ')})`,
        senders.flatMap((m) => [m.roomId, m.senderId]),
      );
      const mayWrite = new Set(writers.map((w) => `${w.room_id}|${w.subject_id}`));
      const seen = new Set(stored.map((r) => `${r.room_id}|${r.sender_id}|${r.client_msg_id}`));
      const next = new Map<string, number>();
      const values: unknown[] = [];
      const results = batch.map((m): AppendResult => {
        const room = byId.get(m.roomId);
        if (!room || room.center_id !== m.centerId || !inWindow(room, m.createdAt.getTime())) return { kind: 'refused' };
        const key = `${m.roomId}|${m.senderId}|${m.clientMsgId}`;
        if (seen.has(key)) return { kind: 'duplicate' };
        if (!mayWrite.has(`${m.roomId}|${m.senderId}`)) return { kind: 'refused' };
        seen.add(key);
        const seq = (next.get(m.roomId) ?? Number(room.last_seq)) + 1;
        next.set(m.roomId, seq);
        values.push(m.id, m.centerId, m.roomId, seq, m.senderId, m.clientMsgId, m.body, sqlDate(m.createdAt));
        return { kind: 'stored', seq };
      });
      if (next.size > 0) {
        const moved = [...next.entries()];
        await em.query(
          `UPDATE rooms SET last_seq = CASE id ${moved.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${moved.map(() => '?').join(', ')})`,
          [...moved.flat(), ...moved.map(([id]) => id)],
        );
        await em.query(`${INSERT_HEAD} ${Array.from({ length: values.length / 8 }, () => ROW_MARKS).join(', ')}`, values);
      }
      return results;
    });
  }

  /** One message in a transaction of its own (or the caller's open one). */
  private async appendOne(m: Message): Promise<AppendResult> {
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
        const upd = await em.query<{ affectedRows: number }>(`UPDATE rooms SET last_seq = LAST_INSERT_ID(last_seq + 1) WHERE ${WRITABLE}`, writableParams(m));
        if (upd.affectedRows !== 1) return { kind: 'refused' };
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
          `UPDATE rooms SET last_seq = last_seq + 1 WHERE ${WRITABLE} RETURNING last_seq`,
          writableParams(m),
        );
        if (!row) return { kind: 'refused' };
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

interface RoomRow {
  id: string;
  center_id: string;
  last_seq: number | string;
  closed_at: unknown;
  starts_at: unknown;
  ends_at: unknown;
}

function writableParams(m: Message): unknown[] {
  const at = sqlDate(m.createdAt);
  return [m.roomId, m.centerId, m.senderId, at, at];
}

/** Open, and inside [starts_at, ends_at) at `at` where those are set. */
function inWindow(room: RoomRow, at: number): boolean {
  if (room.closed_at !== null) return false;
  const starts = timeOf(room.starts_at);
  const ends = timeOf(room.ends_at);
  return (starts === null || starts <= at) && (ends === null || at < ends);
}

/** A DATETIME as the driver hands it over: a Date (mysql2, timezone Z) or SQLite's 'YYYY-MM-DD HH:MM:SS.SSS' in UTC. */
function timeOf(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v !== 'string') throw new Error(`unreadable room time of type ${typeof v}`);
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`);
  if (Number.isNaN(t)) throw new Error(`unreadable room time ${v}`);
  return t;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: what TypeORM stores for datetime on SQLite, and valid on MariaDB. */
function sqlDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
