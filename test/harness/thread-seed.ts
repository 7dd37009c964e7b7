import { randomUUID } from 'node:crypto';
import { Clock } from '../../src/common/clock';
import type { ThreadMemberRole } from '../../src/modules/threads/thread-member.entity';
import { ThreadMember } from '../../src/modules/threads/thread-member.entity';
import { Thread, ThreadKind } from '../../src/modules/threads/thread.entity';
import { ThreadsRepository } from '../../src/modules/threads/threads.repository';
import { ThreadsService } from '../../src/modules/threads/threads.service';
import type { TestApp } from './app';

/**
 * Threads seeded through the threads module's own repository and service (for the notes, absence
 * and retention suites, which test what builds on threads, not the thread routes themselves).
 */
export class ThreadSeed {
  constructor(
    private readonly t: TestApp,
    private readonly clock: Clock,
  ) {}

  private get repo(): ThreadsRepository {
    return this.t.app.get(ThreadsRepository);
  }

  /** An open thread of `counselorId` with these clients (one: `direct`, more: `group`); its id. */
  async open(centerId: string, counselorId: string | null, clientIds: string[], kind?: ThreadKind): Promise<string> {
    const now = this.clock.now();
    const k: ThreadKind = kind ?? (clientIds.length > 1 ? 'group' : 'direct');
    const thread = Object.assign(new Thread(), {
      id: randomUUID(),
      centerId,
      kind: k,
      status: counselorId ? 'open' : 'waiting',
      counselorId,
      clientId: k === 'group' ? null : (clientIds[0] ?? null),
      subjectEnc: '',
      lastSeq: 0,
      createdAt: now,
      lastPostAt: now,
      closedAt: null,
      assignedAt: counselorId ? now : null,
    });
    thread.subjectEnc = await this.t.app.get(ThreadsService).sealSubject(thread, 'Betreff');
    await this.repo.insertThread(thread);
    if (counselorId) await this.member(centerId, thread.id, counselorId, 'counselor');
    for (const id of clientIds) await this.member(centerId, thread.id, id, 'client');
    return thread.id;
  }

  /** Moves the thread to another counselor as a reassignment does (the old one loses their member row). */
  async reassign(centerId: string, threadId: string, from: string, to: string): Promise<void> {
    if (!(await this.repo.assign(centerId, threadId, from, to, this.clock.now()))) throw new Error('reassignment failed');
    await this.repo.deleteMember(centerId, threadId, from);
    await this.member(centerId, threadId, to, 'counselor');
  }

  async close(centerId: string, threadId: string, counselorId: string): Promise<void> {
    if (!(await this.repo.close(centerId, threadId, counselorId, this.clock.now()))) throw new Error('close failed');
  }

  async post(centerId: string, threadId: string, senderId: string, role: 'client' | 'counselor', body: string): Promise<void> {
    const thread = await this.repo.findThread(centerId, threadId);
    if (!thread) throw new Error('no thread');
    await this.t.app.get(ThreadsService).appendPost({ thread, senderId, senderRole: role, kind: 'post', body, clientPostId: randomUUID() });
  }

  private async member(centerId: string, threadId: string, accountId: string, role: ThreadMemberRole): Promise<void> {
    await this.repo.insertMember(
      Object.assign(new ThreadMember(), { threadId, centerId, accountId, role, fromSeq: 0, lastReadSeq: 0, lastMailAt: null, joinedAt: this.clock.now() }),
    );
  }
}
