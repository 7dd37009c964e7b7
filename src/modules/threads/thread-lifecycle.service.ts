import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { emitEvent, STAT_COUNTED, THREAD_ASSIGNED } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { AssignThreadDto, CreateThreadDto } from './dto/threads.dto';
import { ENQUIRY_ROUTER } from './enquiry-router.port';
import { ThreadMember, ThreadMemberRole } from './thread-member.entity';
import { ThreadNotifier } from './thread-notifier.service';
import { ThreadPorts } from './thread-ports';
import { Thread } from './thread.entity';
import { ThreadsRepository } from './threads.repository';
import { ThreadsService } from './threads.service';

/** Enquiries a client may have waiting at once (each one mails every admin). */
const MAX_WAITING_ENQUIRIES = 5;

/** Opening threads (enquiries, a counselor's direct and group threads), assignment and reassignment, closing. */
@Injectable()
export class ThreadLifecycleService {
  constructor(
    private readonly repo: ThreadsRepository,
    private readonly threads: ThreadsService,
    private readonly accounts: AccountsService,
    private readonly notifier: ThreadNotifier,
    private readonly ports: ThreadPorts,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  /** `POST /api/threads`: a client's enquiry, or a counselor's thread with their own clients. */
  async create(auth: AuthContext, dto: CreateThreadDto): Promise<{ id: string }> {
    requireRole(auth, 'client', 'counselor', { message: 'Only clients and counselors open threads.' });
    return auth.role === 'client' ? this.createEnquiry(auth, dto) : this.createWithClients(auth, dto);
  }

  private async createEnquiry(auth: AuthContext, dto: CreateThreadDto): Promise<{ id: string }> {
    if (dto.clientIds !== undefined) throw errors.validation('Clients open an enquiry without clientIds.', ['clientIds']);
    const thread = this.build(auth.centerId, 'enquiry', null, auth.subjectId);
    await this.tx.run(async () => {
      if ((await this.repo.countWaitingOf(auth.centerId, auth.subjectId)) >= MAX_WAITING_ENQUIRIES)
        throw errors.conflict(`You have ${MAX_WAITING_ENQUIRIES} enquiries waiting already. Please wait until the center answers.`);
      await this.insert(thread, dto.subject, [{ accountId: auth.subjectId, role: 'client' }]);
      await this.threads.appendPost({ thread, senderId: auth.subjectId, senderRole: 'client', kind: 'post', body: dto.body });
    });
    void emitEvent(this.events, STAT_COUNTED, { centerId: auth.centerId, metric: 'enquiry.created', at: thread.createdAt });
    // crisis contacts (issue 13) may take it at once; otherwise it waits for the admins
    const counselorId = await this.ports.get(ENQUIRY_ROUTER).counselorFor(auth.centerId, { threadId: thread.id, clientId: auth.subjectId });
    const counselor = counselorId ? await this.activeCounselor(auth.centerId, counselorId) : null;
    if (counselor) await this.assignTo(thread, counselor);
    else await this.notifier.enquiryWaiting(auth.centerId, thread.id);
    return { id: thread.id };
  }

  private async createWithClients(auth: AuthContext, dto: CreateThreadDto): Promise<{ id: string }> {
    const clientIds = dto.clientIds;
    if (!clientIds || clientIds.length === 0) throw errors.validation('Name one or more of your clients.', ['clientIds']);
    // a foreign id answers exactly as one that does not exist
    for (const id of clientIds) if (!(await this.threads.isClientOf(auth.centerId, auth.subjectId, id))) throw errors.notFound('The client');
    const group = clientIds.length > 1;
    const thread = this.build(auth.centerId, group ? 'group' : 'direct', auth.subjectId, group ? null : clientIds[0]!);
    await this.tx.run(async () => {
      await this.insert(thread, dto.subject, [
        { accountId: auth.subjectId, role: 'counselor' },
        ...clientIds.map((id) => ({ accountId: id, role: 'client' as const })),
      ]);
      await this.threads.appendPost({ thread, senderId: auth.subjectId, senderRole: 'counselor', kind: 'post', body: dto.body });
    });
    await this.notifier.changed(auth.centerId, thread.id);
    return { id: thread.id };
  }

  /**
   * `POST /api/threads/:id/assign` (admin): first assignment or reassignment to an active counselor
   * of the center. Two admins at once: one wins, the other gets CONFLICT.
   */
  async assign(auth: AuthContext, threadId: string, dto: AssignThreadDto): Promise<Record<string, never>> {
    requireRole(auth, 'admin', { message: 'Only admins assign threads.' });
    const thread = await this.repo.findThread(auth.centerId, threadId);
    if (!thread) throw errors.notFound('The thread');
    const counselor = await this.activeCounselor(auth.centerId, dto.counselorId);
    if (!counselor) throw errors.validation('Choose an active counselor of your center.', ['counselorId']);
    if (thread.status === 'closed') throw errors.conflict('This thread is closed.');
    if (thread.counselorId === counselor.id) return {};
    await this.assignTo(thread, counselor);
    return {};
  }

  /**
   * Gives the thread to the counselor. A take-over (the thread had a counselor before) removes the
   * old counselor's membership, lets the new one see posts from now on only, and tells the
   * thread's clients in a notice.
   */
  private async assignTo(thread: Thread, counselor: Account): Promise<void> {
    const previous = thread.counselorId;
    const takeover = thread.assignedAt !== null;
    await this.tx.run(async () => {
      if (!(await this.repo.assign(thread.centerId, thread.id, previous, counselor.id, this.clock.now())))
        throw errors.conflict('The thread was assigned at the same time. Please reload and check.');
      if (previous) await this.repo.deleteMember(thread.centerId, thread.id, previous);
      const fresh = await this.repo.findThread(thread.centerId, thread.id);
      await this.repo.deleteMember(thread.centerId, thread.id, counselor.id);
      await this.repo.insertMember(this.member(thread, counselor.id, 'counselor', takeover ? (fresh?.lastSeq ?? thread.lastSeq) : 0));
      if (takeover) {
        await this.threads.appendPost({
          thread,
          senderId: null,
          senderRole: 'system',
          kind: 'notice',
          notice: { code: 'reassigned', params: { counselor: counselor.displayName } },
        });
      }
      await this.tx.afterCommit(async () => {
        await emitEvent(this.events, THREAD_ASSIGNED, {
          centerId: thread.centerId,
          threadId: thread.id,
          counselorId: counselor.id,
          previousCounselorId: previous,
        });
      });
    });
  }

  /** `POST /api/threads/:id/close`: the thread's counselor closes it; it accepts no more posts. */
  async close(auth: AuthContext, threadId: string): Promise<Record<string, never>> {
    const { thread, role } = await this.threads.access(auth, threadId);
    if (role !== 'counselor') throw errors.forbidden('Only the thread’s counselor closes it.');
    if (!(await this.repo.close(auth.centerId, thread.id, auth.subjectId, this.clock.now()))) throw errors.conflict('This thread is closed already.');
    await this.notifier.changed(auth.centerId, thread.id);
    return {};
  }

  private async activeCounselor(centerId: string, id: string): Promise<Account | null> {
    const account = await this.accounts.findById(centerId, id);
    return account && account.role === 'counselor' && account.status === 'active' ? account : null;
  }

  private build(centerId: string, kind: Thread['kind'], counselorId: string | null, clientId: string | null): Thread {
    const now = this.clock.now();
    return Object.assign(new Thread(), {
      id: this.ids.uuid(),
      centerId,
      kind,
      status: counselorId ? 'open' : 'waiting',
      counselorId,
      clientId,
      subjectEnc: '',
      lastSeq: 0,
      createdAt: now,
      lastPostAt: now,
      closedAt: null,
      assignedAt: counselorId ? now : null,
    });
  }

  private async insert(thread: Thread, subject: string, members: { accountId: string; role: ThreadMemberRole }[]): Promise<void> {
    thread.subjectEnc = await this.threads.sealSubject(thread, subject);
    await this.repo.insertThread(thread);
    for (const m of members) await this.repo.insertMember(this.member(thread, m.accountId, m.role, 0));
  }

  private member(thread: Thread, accountId: string, role: ThreadMemberRole, fromSeq: number): ThreadMember {
    return Object.assign(new ThreadMember(), {
      threadId: thread.id,
      accountId,
      centerId: thread.centerId,
      role,
      fromSeq,
      lastReadSeq: fromSeq,
      lastMailAt: null,
      joinedAt: this.clock.now(),
    });
  }
}
