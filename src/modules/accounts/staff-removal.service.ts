import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { errors } from '../../common/errors';
import { emitEvent, STAFF_ACCOUNT_RETIRING } from '../../common/events';
import { ErasureService } from '../../infra/database/erasure.service';
import { Transactions } from '../../infra/database/transactions';
import { TokensService } from '../auth/tokens.service';
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

  /** Deactivates the account; every token goes, and every node closes the sockets of those tokens at once. */
  async deactivate(account: Account, lastAdminMessage: string): Promise<void> {
    await this.takeOut(account, lastAdminMessage);
    await this.tokens.revokeSubject(account.centerId, account.id);
  }

  /**
   * The account becomes a tombstone: it can never log in again, its login is free for a new account,
   * its sessions end on every node, and what was only its own goes (canned responses, reset links,
   * its key). Its name stays on what it wrote in rooms (the rooms belong to the center); a live
   * shift ends through the shift grace like a lost connection, and its running chats are handed over.
   */
  async delete(account: Account, lastAdminMessage: string): Promise<void> {
    await this.takeOut(account, lastAdminMessage);
    const { centerId, id } = account;
    try {
      await this.tx.run(async () => {
        if (!(await this.accounts.changeStatus(centerId, id, ['deactivated'], 'deleted'))) throw errors.notFound('The staff member');
        await emitEvent(this.events, STAFF_ACCOUNT_RETIRING, { centerId, accountId: id });
        await this.crypto.destroyAccountKey(centerId, id);
        // the token rows go in this transaction; the revocation is published once it committed
        await this.tokens.revokeSubject(centerId, id);
        await this.tx.afterCommit(() => this.erasure.flushDeleted());
      });
    } catch (err) {
      // nothing of the deletion is written: the account is back as it was before the take-out
      if (account.status !== 'deactivated') await this.accounts.changeStatus(centerId, id, ['deactivated'], account.status);
      throw err;
    }
  }

  /**
   * Deactivates (first step of a deletion too), then checks that an active admin is left: two
   * admins taking each other out at the same moment both see none left and both undo their step.
   * Each step commits on its own, so each check sees the other's step (a transaction's snapshot
   * would not).
   */
  private async takeOut(account: Account, lastAdminMessage: string): Promise<void> {
    if (account.status === 'deactivated') return;
    const { centerId, id } = account;
    if (!(await this.accounts.changeStatus(centerId, id, [account.status], 'deactivated')))
      throw errors.conflict('The account changed at the same time. Please try again.');
    if (account.role === 'admin' && account.status === 'active' && (await this.accounts.countActiveAdmins(centerId)) === 0) {
      await this.accounts.changeStatus(centerId, id, ['deactivated'], 'active');
      throw errors.conflict(lastAdminMessage);
    }
  }
}
