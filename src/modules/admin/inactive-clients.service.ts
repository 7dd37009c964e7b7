import { Injectable } from '@nestjs/common';
import { AuthContext, requireRole } from '../../common/auth-context';
import { errors } from '../../common/errors';
import { Transactions } from '../../infra/database/transactions';
import { AccountsService } from '../accounts/accounts.service';
import { TokensService } from '../auth/tokens.service';
import { MessagesService } from '../rooms/messages.service';
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

/**
 * Clients who registered but never confirmed the email they gave, or never wrote a message or a thread post: the
 * admin may delete them (the same erasure as a client's own deletion). Pseudonyms only, no content.
 */
@Injectable()
export class InactiveClientsService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly messages: MessagesService,
    private readonly threads: ThreadsService,
    private readonly tokens: TokensService,
    private readonly tx: Transactions,
  ) {}

  async list(auth: AuthContext): Promise<InactiveClientView[]> {
    requireRole(auth, 'admin');
    const clients = await this.accounts.listClientAccounts(auth.centerId);
    const ids = clients.map((c) => c.id);
    // a chat message or a thread post (an enquiry included)
    const writers = new Set([...(await this.messages.sendersAmong(auth.centerId, ids)), ...(await this.threads.writersAmong(auth.centerId, ids))]);
    return clients
      .map((c) => ({
        id: c.id,
        displayName: c.displayName,
        createdAt: c.createdAt.toISOString(),
        emailGiven: c.emailEnc !== null,
        emailConfirmed: c.emailConfirmedAt !== null,
        hasWritten: writers.has(c.id),
      }))
      .filter((c) => (c.emailGiven && !c.emailConfirmed) || !c.hasWritten)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Everything of theirs goes, as when they delete their account themselves (AccountsService.delete). */
  async remove(auth: AuthContext, id: string): Promise<void> {
    requireRole(auth, 'admin');
    const account = await this.accounts.findById(auth.centerId, id);
    if (!account || account.role !== 'client') throw errors.notFound('The client');
    // the sessions and everything of the account: both or neither (as in AuthService.deleteOwnAccount)
    await this.tx.run(async () => {
      await this.tokens.revokeSubject(auth.centerId, id);
      await this.accounts.delete(auth.centerId, id);
    });
  }
}
