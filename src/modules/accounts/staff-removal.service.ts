import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { errors } from '../../common/errors';
import { emitEvent, STAFF_ACCOUNT_RETIRING } from '../../common/events';
import { ErasureService } from '../../infra/database/erasure.service';
import { Transactions } from '../../infra/database/transactions';
import { TokensService } from '../auth/tokens.service';
import { CentersService } from '../centers/centers.service';
import { CryptoService } from '../crypto/crypto.service';
import type { Account } from './account.entity';
import { AccountsService } from './accounts.service';

/**
 * Taking a staff account out, for both ways in: the admin's staff page (deactivate, delete) and the
 * person's own deletion from the account page. The last active admin is never taken out, also when
 * two admins take each other out at the same moment (see `takeOut`).
 */
@Injectable()
export class StaffRemovalService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly tokens: TokensService,
    private readonly crypto: CryptoService,
    private readonly events: EventEmitter2,
    private readonly erasure: ErasureService,
    private readonly tx: Transactions,
  ) {}

  /** A quick first answer before anything is written (takeOut decides under concurrency). */
  async isLastActiveAdmin(account: Account): Promise<boolean> {
    return account.role === 'admin' && account.status === 'active' && (await this.accounts.countActiveAdmins(account.centerId)) <= 1;
  }

  /** Deactivates the account; every token goes, and every node closes the sockets of those tokens once it committed. */
  async deactivate(account: Account, lastAdminMessage: string, actorId: string): Promise<void> {
    await this.tx.run(async () => {
      await this.takeOut(account, 'deactivated', lastAdminMessage, actorId);
      await this.tokens.revokeSubject(account.centerId, account.id);
    });
  }

  /**
   * The account becomes a tombstone: it can never log in again, its login is free for a new account,
   * its sessions end on every node, and what was only its own goes (canned responses, reset links,
   * its key). Its name stays on what it wrote in rooms (the rooms belong to the center); a live
   * shift ends through the shift grace like a lost connection, and its running chats are handed over.
   * All of it or nothing: one transaction.
   */
  async delete(account: Account, lastAdminMessage: string, actorId: string): Promise<void> {
    const { centerId, id } = account;
    await this.tx.run(async () => {
      await this.takeOut(account, 'deleted', lastAdminMessage, actorId);
      await emitEvent(this.events, STAFF_ACCOUNT_RETIRING, { centerId, accountId: id });
      await this.crypto.destroyAccountKey(centerId, id);
      // the token rows go in this transaction; the revocation is published once it committed
      await this.tokens.revokeSubject(centerId, id);
      await this.tx.afterCommit(() => this.erasure.flushDeleted());
    });
  }

  /**
   * Inside the caller's transaction: the center's row is locked first, so take-outs in one center
   * run one after another and each one counts the admins as the one before it left them (the count
   * is the transaction's first plain read, after the lock: its snapshot starts there). Then the
   * status changes only if it is still the one the caller read. The actor (an admin, or the person
   * themselves) is checked under the lock too: an admin taken out a moment ago, whose request had
   * passed authentication already, takes nobody out any more.
   */
  private async takeOut(account: Account, to: 'deactivated' | 'deleted', lastAdminMessage: string, actorId: string): Promise<void> {
    const { centerId, id } = account;
    await this.centers.lock(centerId);
    if (actorId !== id) {
      const actor = await this.accounts.findById(centerId, actorId);
      if (actor?.role !== 'admin' || actor.status !== 'active') throw errors.unauthorized('Your session has ended.');
    }
    if (account.role === 'admin' && account.status === 'active' && (await this.accounts.countActiveAdminsExcept(centerId, id)) === 0)
      throw errors.conflict(lastAdminMessage);
    if (account.status === 'deleted') throw errors.notFound('The staff member');
    if (account.status === to) return;
    if (!(await this.accounts.changeStatus(centerId, id, [account.status], to)))
      throw errors.conflict('The account changed at the same time. Please try again.');
  }
}
