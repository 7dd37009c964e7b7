import { Injectable } from '@nestjs/common';
import { AuthContext, requireRole } from '../../common/auth-context';
import type { ThreadListItem, ThreadMemberView, ThreadPersonView, ThreadView } from '../../realtime/contract';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { THREAD_ABSENCE } from './thread-absence.port';
import { ThreadPorts } from './thread-ports';
import type { Thread } from './thread.entity';
import { ThreadsRepository } from './threads.repository';
import { ThreadsService } from './threads.service';

const person = (a: Account | undefined): ThreadPersonView | null => (a ? { id: a.id, displayName: a.displayName } : null);

/** The lists and the thread header. The admin's list names who and when, never a subject or a text. */
@Injectable()
export class ThreadQueriesService {
  constructor(
    private readonly repo: ThreadsRepository,
    private readonly threads: ThreadsService,
    private readonly accounts: AccountsService,
    private readonly ports: ThreadPorts,
  ) {}

  /**
   * `GET /api/threads/clients` (counselor): their clients — members of a thread with them or
   * assigned to them (booking, crisis contact, admin) — active accounts only, by pseudonym. What
   * the pickers (new thread, video room, notes) offer, in one request.
   */
  async myClients(auth: AuthContext): Promise<ThreadPersonView[]> {
    requireRole(auth, 'counselor');
    const ids = await this.threads.clientIdsOf(auth.centerId, auth.subjectId);
    const accounts = await this.accounts.findManyByIds(auth.centerId, ids);
    return accounts
      .filter((a) => a.role === 'client' && a.status === 'active')
      .map((a) => ({ id: a.id, displayName: a.displayName }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  }

  /** `GET /api/threads`: the caller's threads, newest activity first; for the admin the waiting and open threads of the center. */
  async list(auth: AuthContext): Promise<ThreadListItem[]> {
    requireRole(auth, 'client', 'counselor', 'admin');
    if (auth.role === 'admin') return this.adminList(auth);
    const mine = await this.repo.threadsOfMember(auth.centerId, auth.subjectId);
    const unread = await this.repo.unreadCounts(auth.centerId, auth.subjectId);
    const people = await this.people(
      auth.centerId,
      mine.map(({ thread }) => thread.counselorId),
    );
    const items: ThreadListItem[] = [];
    for (const { thread } of mine) {
      items.push({
        ...this.base(thread),
        subject: await this.threads.subject(thread),
        counselor: person(thread.counselorId ? people.get(thread.counselorId) : undefined),
        unread: unread.get(thread.id) ?? 0,
      });
    }
    return items.sort((a, b) => b.lastPostAt.localeCompare(a.lastPostAt) || a.id.localeCompare(b.id));
  }

  private async adminList(auth: AuthContext): Promise<ThreadListItem[]> {
    const threads = await this.repo.threadsWithStatus(auth.centerId, ['waiting', 'open']);
    const people = await this.people(
      auth.centerId,
      threads.flatMap((t) => [t.counselorId, t.clientId]),
    );
    // waiting first (oldest first: who waits longest), then the open ones
    const order = (t: Thread) => (t.status === 'waiting' ? 0 : 1);
    return threads
      .sort((a, b) => order(a) - order(b) || a.createdAt.getTime() - b.createdAt.getTime())
      .map((t) => ({
        ...this.base(t),
        subject: null,
        counselor: person(t.counselorId ? people.get(t.counselorId) : undefined),
        client: person(t.clientId ? people.get(t.clientId) : undefined),
        unread: 0,
      }));
  }

  /** `GET /api/threads/:id` (members only): subject, counselor, members by pseudonym, markers, the counselor's absence. */
  async get(auth: AuthContext, threadId: string): Promise<ThreadView> {
    const { thread, member } = await this.threads.access(auth, threadId);
    const members = await this.repo.listMembers(auth.centerId, thread.id);
    const people = await this.people(auth.centerId, [thread.counselorId, ...members.map((m) => m.accountId)]);
    const memberViews: ThreadMemberView[] = members.flatMap((m) => {
      const a = people.get(m.accountId);
      return a ? [{ id: a.id, displayName: a.displayName, role: m.role }] : [];
    });
    if (await this.repo.hasTombstones(auth.centerId, thread.id)) memberViews.push({ id: null, displayName: null, role: 'client', deleted: true });
    const absence = thread.counselorId && thread.status !== 'closed' ? await this.ports.get(THREAD_ABSENCE).activeFor(auth.centerId, thread.counselorId) : null;
    return {
      id: thread.id,
      kind: thread.kind,
      status: thread.status,
      subject: await this.threads.subject(thread),
      counselor: person(thread.counselorId ? people.get(thread.counselorId) : undefined),
      members: memberViews,
      lastSeq: thread.lastSeq,
      lastReadSeq: Math.max(member.lastReadSeq, member.fromSeq),
      absence: absence ? { until: absence.until.toISOString(), text: absence.text } : null,
      createdAt: thread.createdAt.toISOString(),
      closedAt: thread.closedAt?.toISOString() ?? null,
    };
  }

  private base(t: Thread) {
    return { id: t.id, kind: t.kind, status: t.status, lastPostAt: t.lastPostAt.toISOString(), createdAt: t.createdAt.toISOString() };
  }

  private async people(centerId: string, ids: (string | null)[]): Promise<Map<string, Account>> {
    const unique = [...new Set(ids.filter((id): id is string => id !== null))];
    return new Map((await this.accounts.findManyByIds(centerId, unique)).map((a) => [a.id, a]));
  }
}
