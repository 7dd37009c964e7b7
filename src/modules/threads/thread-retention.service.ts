import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { emitEvent, THREAD_DELETING } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { CryptoService } from '../crypto/crypto.service';
import type { Thread } from './thread.entity';
import { ThreadRetentionRepository } from './thread-retention.repository';

/**
 * What the retention sweep (src/modules/retention) needs from threads: the closed threads by age,
 * the deletion of an expired one with everything of it, and who takes part in threads at all.
 */
@Injectable()
export class ThreadRetentionService {
  constructor(
    private readonly repo: ThreadRetentionRepository,
    private readonly crypto: CryptoService,
    private readonly events: EventEmitter2,
    private readonly tx: Transactions,
  ) {}

  /** Closed threads closed at or before `before` (ids and dates only: never subject or content). */
  closedBefore(centerId: string, before: Date): Promise<Pick<Thread, 'id' | 'kind' | 'closedAt'>[]> {
    return this.repo.closedBefore(centerId, before);
  }

  /**
   * Deletes a closed thread that is still closed since `before` at the latest, in one transaction:
   * the row first (the conditional delete decides, once), then through THREAD_DELETING what others
   * keep per thread (documents, notes), its posts and members, and a group thread's key. false when
   * another sweep deleted it already or it is no longer due.
   */
  async deleteClosed(centerId: string, threadId: string, before: Date): Promise<boolean> {
    return this.tx.run(async () => {
      const kind = (await this.repo.closedBefore(centerId, before)).find((t) => t.id === threadId)?.kind;
      if (!kind || !(await this.repo.deleteIfClosedBefore(centerId, threadId, before))) return false;
      await emitEvent(this.events, THREAD_DELETING, { centerId, threadId });
      await this.repo.deletePostsAndMembers(centerId, threadId);
      // a 1:1 thread is under its client's key, which stays with the (living) client; its rows are gone
      if (kind === 'group') await this.crypto.destroyThreadKeys(centerId, threadId);
      return true;
    });
  }

  /** The accounts among `ids` that are a member of a thread or wrote in one (such an account is in use). */
  participantsAmong(centerId: string, ids: string[]): Promise<Set<string>> {
    return this.repo.participantsAmong(centerId, ids);
  }
}
