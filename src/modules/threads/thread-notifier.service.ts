import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Clock } from '../../common/clock';
import { THREAD_ASSIGNED, THREAD_POST_CREATED, ThreadAssignedEvent, ThreadPostCreatedEvent } from '../../common/events';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MailService } from '../../infra/mail/mail.service';
import { THREAD_LIMITS } from '../../realtime/contract';
import { RealtimePublisher } from '../../realtime/publisher';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { CentersService } from '../centers/centers.service';
import { THREAD_ABSENCE } from './thread-absence.port';
import { ThreadPorts } from './thread-ports';
import { ThreadsRepository } from './threads.repository';

type MailKind = 'post' | 'enquiry' | 'assigned' | 'absent';

/**
 * Pushes and notification mails of threads. Mails carry no content, no subject and no pseudonym:
 * only that something is waiting and a link. They go to confirmed addresses only (clients: the
 * confirmed contact email; staff: their login), at most one per member and thread per 15 minutes
 * (a conditional update of `last_mail_at`, so two nodes send one). A mail for an absent counselor
 * goes to the center's active admins instead. Failures are logged, never thrown at the writer.
 */
@Injectable()
export class ThreadNotifier {
  private readonly logger = new Logger(ThreadNotifier.name);

  constructor(
    private readonly repo: ThreadsRepository,
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly mail: MailService,
    private readonly publisher: RealtimePublisher,
    private readonly ports: ThreadPorts,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnEvent(THREAD_POST_CREATED, { async: true, promisify: true })
  async onPost(e: ThreadPostCreatedEvent): Promise<void> {
    await this.guard('post', async () => {
      const members = await this.repo.memberRoles(e.centerId, e.threadId);
      // every session of every member, the sender's other tabs too
      for (const m of members)
        this.publisher.toSubject(m.accountId, 'thread.posted', { threadId: e.threadId, seq: e.seq, postId: e.postId, senderRole: e.senderRole });
      // a notice about a new counselor: the counselor is told by the assignment mail
      const recipients = members.filter((m) => m.accountId !== e.senderId && (e.kind !== 'notice' || m.role === 'client'));
      for (const m of recipients) await this.mailMember(e.centerId, e.threadId, m.accountId, 'post');
    });
  }

  @OnEvent(THREAD_ASSIGNED, { async: true, promisify: true })
  async onAssigned(e: ThreadAssignedEvent): Promise<void> {
    await this.guard('assigned', async () => {
      await this.changed(e.centerId, e.threadId, e.previousCounselorId ? [e.previousCounselorId] : []);
      await this.mailMember(e.centerId, e.threadId, e.counselorId, 'assigned', { skipAbsence: true });
    });
  }

  /** A new enquiry waits: every active admin gets one mail and a push. */
  async enquiryWaiting(centerId: string, threadId: string): Promise<void> {
    await this.guard('enquiry', async () => {
      const admins = await this.activeAdmins(centerId);
      for (const a of admins) this.publisher.toSubject(a.id, 'thread.updated', { threadId });
      await this.send(
        centerId,
        threadId,
        admins.map((a) => a.login),
        'enquiry',
      );
    });
  }

  /** A thread changed (assigned, closed, members): its members, these extra accounts and the admins re-read it. */
  async changed(centerId: string, threadId: string, extra: string[] = []): Promise<void> {
    await this.guard('changed', async () => {
      const members = await this.repo.listMembers(centerId, threadId);
      const admins = await this.activeAdmins(centerId);
      const ids = new Set([...members.map((m) => m.accountId), ...extra, ...admins.map((a) => a.id)]);
      for (const id of ids) this.publisher.toSubject(id, 'thread.updated', { threadId });
    });
  }

  /** Pushes `thread.updated` to accounts whose membership just ended (their data is gone already). */
  async pushTo(accountIds: string[], threadId: string): Promise<void> {
    await this.guard('pushTo', () => {
      for (const id of accountIds) this.publisher.toSubject(id, 'thread.updated', { threadId });
      return Promise.resolve();
    });
  }

  private async mailMember(centerId: string, threadId: string, accountId: string, kind: MailKind, opts: { skipAbsence?: boolean } = {}): Promise<void> {
    const now = this.clock.now();
    const notAfter = new Date(now.getTime() - THREAD_LIMITS.mailThrottleMs);
    if (!(await this.repo.claimMail(centerId, threadId, accountId, now, notAfter))) return;
    const account = await this.accounts.findById(centerId, accountId);
    if (!account || account.status !== 'active') return;
    if (account.role === 'client') {
      const to = await this.accounts.contactEmail(account);
      if (to) await this.send(centerId, threadId, [to], kind, 'client');
      return;
    }
    const absent = opts.skipAbsence ? null : await this.ports.get(THREAD_ABSENCE).activeFor(centerId, account.id);
    if (absent) {
      const admins = await this.activeAdmins(centerId);
      await this.send(
        centerId,
        threadId,
        admins.map((a) => a.login),
        'absent',
      );
      return;
    }
    await this.send(centerId, threadId, [account.login], kind);
  }

  private async send(centerId: string, threadId: string, to: string[], kind: MailKind, audience: 'client' | 'staff' = 'staff'): Promise<void> {
    // MAIL=off: the installation sends no mail at all
    if (to.length === 0 || !this.config.mail) return;
    const center = await this.centers.byId(centerId);
    const base = `${this.config.publicUrl}/c/${encodeURIComponent(center.slug)}`;
    const link =
      audience === 'client' ? `${base}/threads` : kind === 'enquiry' || kind === 'absent' ? `${base}/admin/enquiries` : `${base}/threads/${threadId}`;
    const { subject, line } = MAIL_TEXT[kind];
    for (const address of to) {
      await this.mail.send({
        to: address,
        subject: `${center.name}: ${subject}`,
        text: `Guten Tag,\n\n${line}\n${link}\n\nAus Gründen des Datenschutzes enthält diese E-Mail keine Inhalte. Bitte antworten Sie nicht auf diese E-Mail.\n`,
      });
    }
  }

  private async activeAdmins(centerId: string): Promise<Account[]> {
    return (await this.accounts.listStaffAccounts(centerId)).filter((a) => a.role === 'admin' && a.status === 'active');
  }

  private async guard(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.logger.error({ what, err: (err as Error).message }, 'a thread notification failed');
    }
  }
}

const MAIL_TEXT: Record<MailKind, { subject: string; line: string }> = {
  post: { subject: 'Neue Nachricht', line: 'in Ihrer Online-Beratung wartet eine neue Nachricht auf Sie. Sie lesen sie nach der Anmeldung hier:' },
  enquiry: { subject: 'Eine neue Anfrage wartet', line: 'eine neue Anfrage wartet auf die Zuweisung an eine Beraterin oder einen Berater:' },
  assigned: { subject: 'Ihnen wurde eine Beratung zugewiesen', line: 'Ihnen wurde eine Beratung zugewiesen. Sie finden sie nach der Anmeldung hier:' },
  absent: {
    subject: 'Nachricht während einer Abwesenheit',
    line: 'eine Beraterin oder ein Berater ist abwesend, und in einer ihrer Beratungen wartet eine neue Nachricht. Die Übersicht:',
  },
};
