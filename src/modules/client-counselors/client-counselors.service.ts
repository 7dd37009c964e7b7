import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Clock, IdGenerator } from '../../common/clock';
import { ACCOUNT_DELETING, AccountDeletingEvent, STAFF_ACCOUNT_RETIRING } from '../../common/events';
import { ClientCounselor, ClientCounselorReason } from './client-counselor.entity';
import { ClientCounselorsRepository } from './client-counselors.repository';

/**
 * "Their counselor" of a registered client (see ClientCounselor). Threads count it in
 * `isClientOf`; appointments (booking), crisis contacts (registration) and the enquiry router set
 * it. Removed with either account.
 */
@Injectable()
export class ClientCounselorsService {
  constructor(
    private readonly repo: ClientCounselorsRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** The id of the client's counselor, or null. */
  async counselorOf(centerId: string, clientId: string): Promise<string | null> {
    return (await this.repo.findOfClient(centerId, clientId))?.counselorId ?? null;
  }

  async isAssigned(centerId: string, counselorId: string, clientId: string): Promise<boolean> {
    return (await this.counselorOf(centerId, clientId)) === counselorId;
  }

  /** The ids of the counselor's assigned clients. */
  async clientsOf(centerId: string, counselorId: string): Promise<string[]> {
    return (await this.repo.listOfCounselor(centerId, counselorId)).map((r) => r.clientId);
  }

  countOf(centerId: string, counselorId: string): Promise<number> {
    return this.repo.countOfCounselor(centerId, counselorId);
  }

  /**
   * Makes `counselorId` the client's counselor unless they have one already: one insert against a
   * unique index, so of two nodes assigning at once one wins. Returns the counselor the client has
   * afterwards. Runs in the caller's transaction when there is one.
   */
  async assignIfNone(centerId: string, clientId: string, counselorId: string, reason: ClientCounselorReason): Promise<string> {
    const row: ClientCounselor = { id: this.ids.uuid(), centerId, clientId, counselorId, reason, assignedAt: this.clock.now() };
    if (await this.repo.insertIfNone(row)) return counselorId;
    return (await this.counselorOf(centerId, clientId)) ?? counselorId;
  }

  /** The admin's choice: sets (or replaces) the client's counselor. */
  async assign(centerId: string, clientId: string, counselorId: string, reason: ClientCounselorReason): Promise<void> {
    if (await this.repo.setCounselor(centerId, clientId, counselorId, { reason, assignedAt: this.clock.now() })) return;
    await this.assignIfNone(centerId, clientId, counselorId, reason);
  }

  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onAccountGone(e: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteFor(e.centerId, e.accountId);
  }
}
