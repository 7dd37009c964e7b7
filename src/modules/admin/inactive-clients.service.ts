import { Injectable } from '@nestjs/common';
import { AuthContext, requireRole } from '../../common/auth-context';
import { errors } from '../../common/errors';
import { Transactions } from '../../infra/database/transactions';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { TokensService } from '../auth/tokens.service';
import { MessagesService } from '../rooms/messages.service';
import { ThreadRetentionService } from '../threads/thread-retention.service';
import { ThreadsService } from '../threads/threads.service';

export interface InactiveClientView {
  id: string;
  displayName: string;
  createdAt: string;
  /** Whether they gave a contact email at all (false: `emailConfirmed` is false too). */
  emailGiven: boolean;
  emailConfirmed: boolean;
  hasWritten: boolean;
}

/** One client as the inactive list and the retention sweep judge them. */
export interface ClientActivity {
  account: Account;
  emailGiven: boolean;
  emailConfirmed: boolean;
  /** Wrote a message in a room or a post in a thread (an enquiry included). */
  hasWritten: boolean;
  /** Is a member of a thread (or wrote in one): a running conversation keeps the account. */
  inThread: boolean;
  /** The last login, or the registration when there was none since. */
  lastActiveAt: Date;
}

/**
 * Clients who registered but never confirmed the email they gave, or never wrote a message or a
 * thread post: the admin may delete them (the same erasure as a client's own deletion), and the
 * retention sweep deletes them after the center's periods (src/modules/retention). Pseudonyms
 * only, no content.
 */
@Injectable()
export class InactiveClientsService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly messages: MessagesService,
    private readonly threads: ThreadsService,
    private readonly threadRetention: ThreadRetentionService,
    private readonly tokens: TokensService,
    private readonly tx: Transactions,
  ) {}

  async list(auth: AuthContext): Promise<InactiveClientView[]> {
    requireRole(auth, 'admin');
    return (await this.survey(auth.centerId))
      .map((c) => ({
        id: c.account.id,
        displayName: c.account.displayName,
        createdAt: c.account.createdAt.toISOString(),
        emailGiven: c.emailGiven,
        emailConfirmed: c.emailConfirmed,
        hasWritten: c.hasWritten,
      }))
      .filter((c) => (c.emailGiven && !c.emailConfirmed) || !c.hasWritten)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Every client of the center with what decides whether they are in use. */
  async survey(centerId: string, only?: Account[]): Promise<ClientActivity[]> {
    const clients = only ?? (await this.accounts.listClientAccounts(centerId));
    const ids = clients.map((c) => c.id);
    // a chat message or a thread post (an enquiry included)
    const writers = new Set([...(await this.messages.sendersAmong(centerId, ids)), ...(await this.threads.writersAmong(centerId, ids))]);
    const inThreads = await this.threadRetention.participantsAmong(centerId, ids);
    return clients.map((account) => ({
      account,
      emailGiven: account.emailEnc !== null,
      emailConfirmed: account.emailConfirmedAt !== null,
      hasWritten: writers.has(account.id),
      inThread: inThreads.has(account.id),
      lastActiveAt: account.lastLoginAt && account.lastLoginAt > account.createdAt ? account.lastLoginAt : account.createdAt,
    }));
  }

  /** Everything of theirs goes, as when they delete their account themselves (AccountsService.delete). */
  async remove(auth: AuthContext, id: string): Promise<void> {
    requireRole(auth, 'admin');
    const account = await this.accounts.findById(auth.centerId, id);
    if (!account || account.role !== 'client') throw errors.notFound('The client');
    await this.erase(auth.centerId, id);
  }

  /**
   * Deletes a client the way the portal's "delete my account" does (AuthService.deleteOwnAccount):
   * their sessions and everything of the account, both or neither. With `stillDue`, the client is
   * judged again inside the transaction (the retention sweep: a login or a first post a moment ago
   * keeps them); false when they are gone already or no longer due.
   */
  async erase(centerId: string, id: string, stillDue?: (activity: ClientActivity) => boolean): Promise<boolean> {
    return this.tx.run(async () => {
      if (stillDue) {
        const account = await this.accounts.findById(centerId, id);
        if (!account || account.role !== 'client') return false;
        const [activity] = await this.survey(centerId, [account]);
        if (!activity || !stillDue(activity)) return false;
      }
      await this.tokens.revokeSubject(centerId, id);
      await this.accounts.delete(centerId, id);
      return true;
    });
  }
}
