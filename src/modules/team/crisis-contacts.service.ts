import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuthContext, requireRole } from '../../common/auth-context';
import { CLIENT_REGISTERED, ClientRegisteredEvent } from '../../common/events';
import type { MyCounselorView } from '../../realtime/contract';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { ClientCounselorsService } from '../client-counselors/client-counselors.service';
import { ENQUIRY_ROUTER, EnquiryRouter } from '../threads/enquiry-router.port';
import { THREAD_ABSENCE } from '../threads/thread-absence.port';
import { ThreadPorts } from '../threads/thread-ports';
import { ThreadsService } from '../threads/threads.service';
import { TeamRepository } from './team.repository';

/**
 * Crisis contacts (issue 13): a counselor who switches "crisis contact" on takes new clients at
 * once, so nobody in crisis waits for the admin. A client who registers, or writes an enquiry
 * without a counselor, gets the crisis contact with the fewest open threads (ties: fewest assigned
 * clients, then the id) as their counselor. Without a crisis contact everything waits for the
 * admin, as before.
 */
@Injectable()
export class CrisisContactsService implements EnquiryRouter, OnModuleInit {
  private readonly logger = new Logger('CrisisContacts');

  constructor(
    private readonly repo: TeamRepository,
    private readonly accounts: AccountsService,
    private readonly clientCounselors: ClientCounselorsService,
    private readonly threads: ThreadsService,
    private readonly ports: ThreadPorts,
  ) {}

  onModuleInit(): void {
    this.ports.register(ENQUIRY_ROUTER, this);
  }

  /** Registration's hook (awaited after its commit). Never fails the registration: it logs and the client waits. */
  @OnEvent(CLIENT_REGISTERED, { async: true, promisify: true })
  async onClientRegistered(e: ClientRegisteredEvent): Promise<void> {
    try {
      const contact = await this.pickCrisisContact(e.centerId);
      if (contact) await this.clientCounselors.assignIfNone(e.centerId, e.clientId, contact.id, 'crisis');
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'crisis assignment after registration failed');
    }
  }

  /**
   * ENQUIRY_ROUTER: the client's own counselor while active; else the crisis contact with the
   * fewest open threads, who becomes their counselor; else null (the enquiry waits for the admin).
   */
  async counselorFor(centerId: string, enquiry: { threadId: string; clientId: string }): Promise<string | null> {
    const ownId = await this.clientCounselors.counselorOf(centerId, enquiry.clientId);
    const own = ownId ? await this.activeCounselor(centerId, ownId) : null;
    if (own) return own.id;
    const contact = await this.pickCrisisContact(centerId);
    if (!contact) return null;
    // a counselor who is no longer active (deactivated) is replaced; otherwise the first writer wins
    if (ownId) {
      await this.clientCounselors.assign(centerId, enquiry.clientId, contact.id, 'crisis');
      return contact.id;
    }
    const now = await this.clientCounselors.assignIfNone(centerId, enquiry.clientId, contact.id, 'crisis');
    return (await this.activeCounselor(centerId, now))?.id ?? null;
  }

  /** `GET /api/accounts/me/counselor` (client): their counselor while that counselor is active. */
  async mine(auth: AuthContext): Promise<MyCounselorView> {
    requireRole(auth, 'client', { message: 'Only clients have a counselor.' });
    const id = await this.clientCounselors.counselorOf(auth.centerId, auth.subjectId);
    const counselor = id ? await this.activeCounselor(auth.centerId, id) : null;
    return { counselor: counselor ? { id: counselor.id, displayName: counselor.displayName } : null };
  }

  /**
   * The crisis contact who takes the next client: active counselors with the switch on, not hidden
   * by the admin (illness) and not away (a running absence); the fewest open threads, then the
   * fewest assigned clients, then the id (stable across nodes).
   */
  async pickCrisisContact(centerId: string): Promise<Account | null> {
    const profiles = await this.repo.listCrisisContacts(centerId);
    if (profiles.length === 0) return null;
    const absence = this.ports.get(THREAD_ABSENCE);
    const candidates: Account[] = [];
    for (const account of await this.accounts.findManyByIds(
      centerId,
      profiles.map((p) => p.accountId),
    )) {
      if (account.role !== 'counselor' || account.status !== 'active') continue;
      if (await absence.activeFor(centerId, account.id)) continue;
      candidates.push(account);
    }
    if (candidates.length === 0) return null;
    const open = await this.threads.openThreadCounts(
      centerId,
      candidates.map((c) => c.id),
    );
    const ranked = await Promise.all(
      candidates.map(async (c) => ({ c, open: open.get(c.id) ?? 0, clients: await this.clientCounselors.countOf(centerId, c.id) })),
    );
    ranked.sort((a, b) => a.open - b.open || a.clients - b.clients || a.c.id.localeCompare(b.c.id));
    return ranked[0]?.c ?? null;
  }

  private async activeCounselor(centerId: string, id: string): Promise<Account | null> {
    const account = await this.accounts.findById(centerId, id);
    return account && account.role === 'counselor' && account.status === 'active' ? account : null;
  }
}
