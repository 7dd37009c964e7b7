import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { ThreadMember } from './thread-member.entity';
import { ThreadPost } from './thread-post.entity';
import { Thread } from './thread.entity';

/** The queries of the retention side of threads (closed threads by age, participants), scoped by center. */
@Injectable()
export class ThreadRetentionRepository {
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

  /** Closed threads of the center closed at or before `before`, the oldest first (id and dates only). */
  closedBefore(centerId: string, before: Date): Promise<Pick<Thread, 'id' | 'kind' | 'closedAt'>[]> {
    return this.threads.find({
      select: { id: true, kind: true, closedAt: true },
      where: { centerId, status: 'closed', closedAt: LessThanOrEqual(before) },
      order: { closedAt: 'ASC', id: 'ASC' },
    });
  }

  /**
   * Deletes the thread row only while it is still closed since `before` at the latest: true for the
   * one caller whose delete matched (on MariaDB a concurrent one waits for the row lock, then matches none).
   */
  async deleteIfClosedBefore(centerId: string, id: string, before: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const res = await this.threads.delete({ centerId, id, status: 'closed', closedAt: LessThanOrEqual(before) });
    return (res.affected ?? 0) > 0;
  }

  async deletePostsAndMembers(centerId: string, threadId: string): Promise<void> {
    await this.posts.delete({ centerId, threadId });
    await this.members.delete({ centerId, threadId });
  }

  /** The accounts among `ids` that are a member of a thread or wrote a post in one. */
  async participantsAmong(centerId: string, ids: string[]): Promise<Set<string>> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return new Set();
    const members = await this.members.find({ select: { accountId: true }, where: { centerId, accountId: In(valid) } });
    const senders = await this.posts
      .createQueryBuilder('p')
      .select('DISTINCT p.sender_id', 'senderId')
      .where('p.center_id = :centerId AND p.sender_id IN (:...valid)', { centerId, valid })
      .getRawMany<{ senderId: string }>();
    return new Set([...members.map((m) => m.accountId), ...senders.map((s) => s.senderId)]);
  }
}
