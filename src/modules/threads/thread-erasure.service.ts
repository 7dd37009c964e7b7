import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { ACCOUNT_DELETING, AccountDeletingEvent, emitEvent, STAFF_ACCOUNT_RETIRING, THREAD_DELETING } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { CryptoService } from '../crypto/crypto.service';
import { POST_DOCUMENTS } from './post-documents.port';
import { ThreadNotifier } from './thread-notifier.service';
import { ThreadPorts } from './thread-ports';
import type { Thread } from './thread.entity';
import { ThreadsRepository } from './threads.repository';

/**
 * What goes with an account (both handlers run inside the deletion transaction):
 * - a client: their 1:1 threads entirely (posts, members, documents, notes; their account key is
 *   destroyed by the deletion); in a group thread their posts become tombstones (no sender, no
 *   body) and their membership goes; a group left without clients goes entirely (and its key).
 * - a counselor deleted by the admin: their open and waiting threads go back to `waiting` without
 *   counselor (the admin's assignment list), their memberships go. What they wrote stays, as the
 *   center's record: the thread's clients still read it, the next counselor does not (from_seq).
 */
@Injectable()
export class ThreadErasureService {
  constructor(
    private readonly repo: ThreadsRepository,
    private readonly crypto: CryptoService,
    private readonly ports: ThreadPorts,
    private readonly notifier: ThreadNotifier,
    private readonly events: EventEmitter2,
    private readonly tx: Transactions,
  ) {}

  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  async onAccountDeleting(e: AccountDeletingEvent): Promise<void> {
    const mine = await this.repo.threadsOfMember(e.centerId, e.accountId);
    for (const { thread, member } of mine) {
      if (member.role === 'counselor') {
        await this.releaseCounselor(thread, e.accountId);
      } else if (thread.kind !== 'group') {
        await this.deleteThread(thread);
      } else {
        await this.repo.tombstonePostsOf(e.centerId, thread.id, e.accountId);
        await this.repo.deleteMember(e.centerId, thread.id, e.accountId);
        const left = await this.repo.listMembers(e.centerId, thread.id);
        if (!left.some((m) => m.role === 'client')) await this.deleteThread(thread);
        else await this.tx.afterCommit(() => this.notifier.changed(e.centerId, thread.id));
      }
    }
  }

  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onStaffRetiring(e: AccountDeletingEvent): Promise<void> {
    const assigned = await this.repo.threadsOfCounselor(e.centerId, e.accountId);
    for (const thread of assigned) await this.releaseCounselor(thread, e.accountId);
    // memberships of threads they no longer led (there should be none)
    for (const { thread } of await this.repo.threadsOfMember(e.centerId, e.accountId)) await this.repo.deleteMember(e.centerId, thread.id, e.accountId);
  }

  private async releaseCounselor(thread: Thread, counselorId: string): Promise<void> {
    await this.repo.unassign(thread.centerId, thread.id, counselorId);
    await this.repo.deleteMember(thread.centerId, thread.id, counselorId);
    await this.tx.afterCommit(() => this.notifier.changed(thread.centerId, thread.id));
  }

  /** A whole thread: other modules' rows of it (notes, documents), posts, members, the row, and a group's key. */
  private async deleteThread(thread: Thread): Promise<void> {
    const members = await this.repo.listMembers(thread.centerId, thread.id);
    await emitEvent(this.events, THREAD_DELETING, { centerId: thread.centerId, threadId: thread.id });
    await this.ports.get(POST_DOCUMENTS).deleteForThread(thread.centerId, thread.id);
    await this.repo.deleteThread(thread.centerId, thread.id);
    if (thread.kind === 'group') await this.crypto.destroyThreadKeys(thread.centerId, thread.id);
    await this.tx.afterCommit(() =>
      this.notifier.pushTo(
        members.map((m) => m.accountId),
        thread.id,
      ),
    );
  }
}
