import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, In, IsNull, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { ThreadMember } from './thread-member.entity';
import { ThreadPost } from './thread-post.entity';
import { Thread, ThreadStatus } from './thread.entity';

export type AppendPostResult = { kind: 'stored'; seq: number } | { kind: 'duplicate' } | { kind: 'closed' };

const INSERT_SQL =
  'INSERT INTO thread_posts (id, center_id, thread_id, seq, sender_id, sender_role, kind, client_post_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const MAX_LOCK_RETRIES = 5;
// the thread and the caller's member row (a LEFT JOIN: a thread without it answers member null)
const ACCESS_SQL =
  'SELECT t.id, t.center_id, t.kind, t.status, t.counselor_id, t.client_id, t.subject_enc, t.last_seq, t.created_at, t.last_post_at, t.closed_at, t.assigned_at, ' +
  'm.account_id AS m_account_id, m.role AS m_role, m.from_seq AS m_from_seq, m.last_read_seq AS m_last_read_seq, m.last_mail_at AS m_last_mail_at, m.joined_at AS m_joined_at ' +
  'FROM threads t LEFT JOIN thread_members m ON m.thread_id = t.id AND m.center_id = t.center_id AND m.account_id = ? ' +
  'WHERE t.id = ? AND t.center_id = ?';
const MARK_READ_SQL = 'UPDATE thread_members SET last_read_seq = ? WHERE center_id = ? AND thread_id = ? AND account_id = ? AND last_read_seq < ?';
const MEMBER_ROLES_SQL = 'SELECT account_id, role FROM thread_members WHERE center_id = ? AND thread_id = ? ORDER BY joined_at, account_id';
type SqlDate = Date | string;
interface AccessRow {
  id: string;
  center_id: string;
  kind: Thread['kind'];
  status: Thread['status'];
  counselor_id: string | null;
  client_id: string | null;
  subject_enc: string;
  last_seq: number | string;
  created_at: SqlDate;
  last_post_at: SqlDate;
  closed_at: SqlDate | null;
  assigned_at: SqlDate | null;
  m_account_id: string | null;
  m_role: ThreadMember['role'];
  m_from_seq: number | string;
  m_last_read_seq: number | string;
  m_last_mail_at: SqlDate | null;
  m_joined_at: SqlDate;
}

/**
 * Threads, their members and posts, always scoped by center. `appendPost` takes the thread's next
 * seq and inserts the post in one transaction (as MessagesRepository.append): gap-free, never
 * doubled across nodes; a repeated (thread, sender, clientPostId) hits the unique index.
 */
@Injectable()
export class ThreadsRepository {
  constructor(
    @InjectRepository(Thread) private readonly threadRepo: Repository<Thread>,
    @InjectRepository(ThreadMember) private readonly memberRepo: Repository<ThreadMember>,
    @InjectRepository(ThreadPost) private readonly postRepo: Repository<ThreadPost>,
    private readonly tx: Transactions,
  ) {}

  private get threads(): Repository<Thread> {
    return this.tx.bind(this.threadRepo);
  }
  private get members(): Repository<ThreadMember> {
    return this.tx.bind(this.memberRepo);
  }
  private get posts(): Repository<ThreadPost> {
    return this.tx.bind(this.postRepo);
  }

  // ---- threads -------------------------------------------------------------------------------

  /**
   * The thread with the account's membership row, in one statement (the access check of every post,
   * read and download; membership is read from the database each time, never cached).
   */
  async findWithMember(centerId: string, threadId: string, accountId: string): Promise<{ thread: Thread; member: ThreadMember | null } | null> {
    if (!isUuid(threadId) || !isUuid(accountId)) return null;
    const [row] = await this.threads.query<AccessRow[]>(ACCESS_SQL, [accountId, threadId, centerId]);
    if (!row) return null;
    const thread = Object.assign(new Thread(), {
      id: row.id,
      centerId: row.center_id,
      kind: row.kind,
      status: row.status,
      counselorId: row.counselor_id,
      clientId: row.client_id,
      subjectEnc: row.subject_enc,
      lastSeq: Number(row.last_seq),
      createdAt: dateOf(row.created_at),
      lastPostAt: dateOf(row.last_post_at),
      closedAt: row.closed_at === null ? null : dateOf(row.closed_at),
      assignedAt: row.assigned_at === null ? null : dateOf(row.assigned_at),
    });
    if (row.m_account_id === null) return { thread, member: null };
    const member = Object.assign(new ThreadMember(), {
      threadId: row.id,
      accountId: row.m_account_id,
      centerId: row.center_id,
      role: row.m_role,
      fromSeq: Number(row.m_from_seq),
      lastReadSeq: Number(row.m_last_read_seq),
      lastMailAt: row.m_last_mail_at === null ? null : dateOf(row.m_last_mail_at),
      joinedAt: dateOf(row.m_joined_at),
    });
    return { thread, member };
  }

  async findThread(centerId: string, id: string): Promise<Thread | null> {
    return isUuid(id) ? this.threads.findOneBy({ centerId, id }) : null;
  }

  async insertThread(thread: Thread): Promise<void> {
    await this.threads.insert(thread);
  }

  /** The threads this account is a current member of. */
  async threadsOfMember(centerId: string, accountId: string): Promise<{ thread: Thread; member: ThreadMember }[]> {
    if (!isUuid(accountId)) return [];
    const members = await this.members.findBy({ centerId, accountId });
    if (members.length === 0) return [];
    const threads = await this.threads.findBy({ centerId, id: In(members.map((m) => m.threadId)) });
    const byId = new Map(threads.map((t) => [t.id, t]));
    return members.flatMap((member) => {
      const thread = byId.get(member.threadId);
      return thread ? [{ thread, member }] : [];
    });
  }

  /** The admin's list: threads of these statuses (no content is read from them). */
  threadsWithStatus(centerId: string, statuses: ThreadStatus[]): Promise<Thread[]> {
    return this.threads.find({ where: { centerId, status: In(statuses) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  threadsOfCounselor(centerId: string, counselorId: string): Promise<Thread[]> {
    return isUuid(counselorId) ? this.threads.findBy({ centerId, counselorId }) : Promise.resolve([]);
  }

  /** How many open (assigned, not closed) threads each of these counselors has (crisis contacts choose by it). */
  async openCountsOf(centerId: string, counselorIds: string[]): Promise<Map<string, number>> {
    const ids = counselorIds.filter(isUuid);
    const counts = new Map(ids.map((id) => [id, 0]));
    if (ids.length === 0) return counts;
    const rows = await this.threads.find({ select: { id: true, counselorId: true }, where: { centerId, status: 'open', counselorId: In(ids) } });
    for (const r of rows) if (r.counselorId) counts.set(r.counselorId, (counts.get(r.counselorId) ?? 0) + 1);
    return counts;
  }

  /**
   * Conditional assignment: only while the thread still has `expectedCounselorId` (null: waiting)
   * and is not closed. Two admins assigning at once: exactly one call changes the row.
   */
  async assign(centerId: string, id: string, expectedCounselorId: string | null, counselorId: string, at: Date): Promise<boolean> {
    const res = await this.threads.update(
      { centerId, id, counselorId: expectedCounselorId ?? IsNull(), status: In(['waiting', 'open']) },
      { counselorId, status: 'open', assignedAt: at },
    );
    return res.affected === 1;
  }

  /** Back to the admin's list: counselor gone, status waiting (only while this counselor still has it). */
  async unassign(centerId: string, id: string, counselorId: string): Promise<boolean> {
    // assigned_at stays: whoever is assigned next takes the thread over (sees the posts from then on only)
    const res = await this.threads.update({ centerId, id, counselorId, status: In(['waiting', 'open']) }, { counselorId: null, status: 'waiting' });
    return res.affected === 1;
  }

  /** Closes an open thread of this counselor; true when this call closed it. */
  async close(centerId: string, id: string, counselorId: string, at: Date): Promise<boolean> {
    const res = await this.threads.update({ centerId, id, counselorId, status: 'open' }, { status: 'closed', closedAt: at });
    return res.affected === 1;
  }

  /** Deletes a thread with its posts and members (documents, notes and keys: the caller). */
  async deleteThread(centerId: string, id: string): Promise<void> {
    if (!isUuid(id)) return;
    await this.posts.delete({ centerId, threadId: id });
    await this.members.delete({ centerId, threadId: id });
    await this.threads.delete({ centerId, id });
  }

  // ---- members -------------------------------------------------------------------------------

  /** Who is a member, and as what (the pushes and mails of every post): one plain statement. */
  async memberRoles(centerId: string, threadId: string): Promise<Pick<ThreadMember, 'accountId' | 'role'>[]> {
    if (!isUuid(threadId)) return [];
    const rows = await this.members.query<{ account_id: string; role: ThreadMember['role'] }[]>(MEMBER_ROLES_SQL, [centerId, threadId]);
    return rows.map((r) => ({ accountId: r.account_id, role: r.role }));
  }

  listMembers(centerId: string, threadId: string): Promise<ThreadMember[]> {
    return this.members.find({ where: { centerId, threadId }, order: { joinedAt: 'ASC', accountId: 'ASC' } });
  }

  async insertMember(member: ThreadMember): Promise<void> {
    await this.members.insert(member);
  }

  async deleteMember(centerId: string, threadId: string, accountId: string): Promise<void> {
    await this.members.delete({ centerId, threadId, accountId });
  }

  /** Both accounts are current members of one thread, the first as counselor, the second as client. */
  /** The ids of the clients who are current members of a thread of which the counselor is a current member as counselor. */
  async clientsSharingThreadWith(centerId: string, counselorId: string): Promise<string[]> {
    if (!isUuid(counselorId)) return [];
    const rows = await this.members
      .createQueryBuilder('a')
      .innerJoin(ThreadMember, 'b', 'b.thread_id = a.thread_id AND b.center_id = a.center_id')
      .where('a.center_id = :centerId AND a.account_id = :counselorId AND a.role = :counselor', { centerId, counselorId, counselor: 'counselor' })
      .andWhere('b.role = :client', { client: 'client' })
      .select('DISTINCT b.account_id', 'accountId')
      .getRawMany<{ accountId: string }>();
    return rows.map((r) => r.accountId);
  }

  async shareThread(centerId: string, counselorId: string, clientId: string): Promise<boolean> {
    if (!isUuid(counselorId) || !isUuid(clientId)) return false;
    const row = await this.members
      .createQueryBuilder('a')
      .innerJoin(ThreadMember, 'b', 'b.thread_id = a.thread_id AND b.center_id = a.center_id')
      .where('a.center_id = :centerId AND a.account_id = :counselorId AND a.role = :counselor', { centerId, counselorId, counselor: 'counselor' })
      .andWhere('b.account_id = :clientId AND b.role = :client', { clientId, client: 'client' })
      .select('a.thread_id', 'threadId')
      .limit(1)
      .getRawOne<{ threadId: string }>();
    return row !== undefined && row !== null;
  }

  /** Moves the read marker forward only (a stale tab cannot move it back). */
  async markRead(centerId: string, threadId: string, accountId: string, seq: number): Promise<void> {
    // one prepared statement (the query builder wrote the seq into the SQL text: a new statement per post)
    await this.members.query(MARK_READ_SQL, [seq, centerId, threadId, accountId, seq]);
  }

  /**
   * The 15-minute mail throttle: stamps `last_mail_at` only if the member was not mailed since
   * `notAfter`. true for exactly one caller (node) per window.
   */
  async claimMail(centerId: string, threadId: string, accountId: string, now: Date, notAfter: Date): Promise<boolean> {
    const res = await this.members
      .createQueryBuilder()
      .update(ThreadMember)
      .set({ lastMailAt: now })
      .where('center_id = :centerId AND thread_id = :threadId AND account_id = :accountId', { centerId, threadId, accountId })
      .andWhere(new Brackets((w) => w.where('last_mail_at IS NULL').orWhere('last_mail_at <= :notAfter', { notAfter })))
      .execute();
    return res.affected === 1;
  }

  // ---- posts ---------------------------------------------------------------------------------

  /**
   * Takes the thread's next seq and inserts the post, in the caller's transaction or a new one. A
   * repeated (thread, sender, clientPostId) answers `duplicate` when seen before the insert; when two
   * arrive at once the unique index throws (isUniqueViolation) and the whole transaction rolls back
   * with it, the seq step included: the caller re-reads the first post. `checkDuplicate: false` skips
   * the look before the insert (the caller's transaction holds nothing else, so the rollback a
   * duplicate causes costs nothing but the retry itself).
   */
  async appendPost(p: ThreadPost, { checkDuplicate = true }: { checkDuplicate?: boolean } = {}): Promise<AppendPostResult> {
    const values = [p.id, p.centerId, p.threadId, 0, p.senderId, p.senderRole, p.kind, p.clientPostId, p.body, sqlDate(p.createdAt)];
    for (let attempt = 1; ; attempt++) {
      const nested = this.tx.active;
      try {
        return await this.tx.run((em) => this.appendIn(em, p, values, checkDuplicate));
      } catch (err) {
        // MariaDB: a deadlock or lock wait timeout rolled our own transaction back: nothing was stored, try again
        const errno = (err as { driverError?: { errno?: number } }).driverError?.errno;
        if (this.tx.mysql && !nested && (errno === 1213 || errno === 1205) && attempt < MAX_LOCK_RETRIES) continue;
        throw err;
      }
    }
  }

  private async appendIn(em: EntityManager, p: ThreadPost, values: unknown[], checkDuplicate: boolean): Promise<AppendPostResult> {
    if (checkDuplicate && p.clientPostId !== null && p.senderId !== null) {
      const dup = await em.query<unknown[]>('SELECT 1 AS d FROM thread_posts WHERE thread_id = ? AND sender_id = ? AND client_post_id = ?', [
        p.threadId,
        p.senderId,
        p.clientPostId,
      ]);
      if (dup.length > 0) return { kind: 'duplicate' };
    }
    let seq: number;
    if (this.tx.mysql) {
      // MariaDB has no UPDATE … RETURNING: LAST_INSERT_ID(expr) hands the new value to this connection
      const upd = await em.query<{ affectedRows: number }>(
        "UPDATE threads SET last_seq = LAST_INSERT_ID(last_seq + 1), last_post_at = ? WHERE id = ? AND center_id = ? AND status <> 'closed'",
        [sqlDate(p.createdAt), p.threadId, p.centerId],
      );
      if (upd.affectedRows !== 1) return { kind: 'closed' };
      const [row] = await em.query<{ seq: number | string }[]>('SELECT LAST_INSERT_ID() AS seq');
      seq = Number(row?.seq);
    } else {
      const [row] = await em.query<{ last_seq: number }[]>(
        "UPDATE threads SET last_seq = last_seq + 1, last_post_at = ? WHERE id = ? AND center_id = ? AND status <> 'closed' RETURNING last_seq",
        [sqlDate(p.createdAt), p.threadId, p.centerId],
      );
      if (!row) return { kind: 'closed' };
      seq = row.last_seq;
    }
    values[3] = seq;
    await em.query(INSERT_SQL, values);
    return { kind: 'stored', seq };
  }

  findByClientPostId(centerId: string, threadId: string, senderId: string, clientPostId: string): Promise<ThreadPost | null> {
    return this.posts.findOneBy({ centerId, threadId, senderId, clientPostId });
  }

  /** Posts with `seq > max(fromSeq, afterSeq)`, oldest first. */
  async page(centerId: string, threadId: string, afterSeq: number, limit: number): Promise<ThreadPost[]> {
    if (!isUuid(threadId)) return [];
    return this.posts
      .createQueryBuilder('p')
      .where('p.center_id = :centerId AND p.thread_id = :threadId AND p.seq > :afterSeq', { centerId, threadId, afterSeq })
      .orderBy('p.seq', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Unread posts per thread of one reader: after their read marker and their from_seq, not their own, no tombstones. */
  async unreadCounts(centerId: string, readerId: string): Promise<Map<string, number>> {
    if (!isUuid(readerId)) return new Map();
    const rows = await this.posts
      .createQueryBuilder('p')
      .innerJoin(ThreadMember, 'm', 'm.thread_id = p.thread_id AND m.center_id = p.center_id AND m.account_id = :readerId', { readerId })
      .select('p.thread_id', 'threadId')
      .addSelect('COUNT(*)', 'n')
      .where('p.center_id = :centerId', { centerId })
      .andWhere('p.seq > m.last_read_seq AND p.seq > m.from_seq')
      .andWhere(new Brackets((w) => w.where('p.sender_id IS NULL').orWhere('p.sender_id <> :readerId', { readerId })))
      .andWhere("p.kind <> 'deleted'")
      .groupBy('p.thread_id')
      .getRawMany<{ threadId: string; n: number | string }>();
    return new Map(rows.map((r) => [r.threadId, Number(r.n)]));
  }

  /** Whether a deleted member left tombstones in the thread (shown as "deleted account"). */
  async hasTombstones(centerId: string, threadId: string): Promise<boolean> {
    return (await this.posts.countBy({ centerId, threadId, kind: 'deleted' })) > 0;
  }

  /** Threads of this client still waiting for a counselor (a limit on open enquiries). */
  countWaitingOf(centerId: string, clientId: string): Promise<number> {
    return this.threads.countBy({ centerId, clientId, status: 'waiting' });
  }

  /** A deleted member's posts in a thread become tombstones: no sender, no body. */
  async tombstonePostsOf(centerId: string, threadId: string, senderId: string): Promise<void> {
    await this.posts.update({ centerId, threadId, senderId }, { senderId: null, body: null, kind: 'deleted', clientPostId: null });
  }

  /** Which of these accounts have written a post in the center (ids only). */
  async sendersAmong(centerId: string, senderIds: string[]): Promise<Set<string>> {
    const ids = senderIds.filter(isUuid);
    if (ids.length === 0) return new Set();
    const rows = await this.posts
      .createQueryBuilder('p')
      .select('DISTINCT p.sender_id', 'senderId')
      .where('p.center_id = :centerId AND p.sender_id IN (:...ids)', { centerId, ids })
      .getRawMany<{ senderId: string }>();
    return new Set(rows.map((r) => r.senderId));
  }
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: what TypeORM stores for datetime on SQLite, and valid on MariaDB. */
/** A datetime column as the driver answers it raw: a Date (mysql2) or that UTC text (SQLite). */
function dateOf(v: SqlDate): Date {
  return v instanceof Date ? v : new Date(`${v.replace(' ', 'T')}Z`);
}

function sqlDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
