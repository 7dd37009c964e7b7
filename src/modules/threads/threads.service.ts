import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AuthContext } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { emitEvent, THREAD_POST_CREATED } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import type { ThreadNotice } from '../../realtime/contract';
import type { CipherContext } from '../crypto/crypto.service';
import { CryptoService } from '../crypto/crypto.service';
import { ClientCounselorsService } from '../client-counselors/client-counselors.service';
import { CipherBase, openPost, sealPost } from './post-envelope';
import { ThreadMember, ThreadMemberRole } from './thread-member.entity';
import { ThreadPost, ThreadPostKind, ThreadSenderRole } from './thread-post.entity';
import { Thread } from './thread.entity';
import { ThreadsRepository } from './threads.repository';

/** What `access` answers for a current member. */
export interface ThreadAccess {
  thread: Thread;
  member: ThreadMember;
  role: ThreadMemberRole;
  /** The member sees posts with `seq > visibleFromSeq`. */
  visibleFromSeq: number;
}

export interface AppendPostInput {
  thread: Pick<Thread, 'id' | 'centerId' | 'kind' | 'clientId'>;
  /** Null for system notices. */
  senderId: string | null;
  senderRole: ThreadSenderRole;
  kind: Exclude<ThreadPostKind, 'deleted'>;
  /** The text (`post`, `center_notice`); for a `notice` use `notice` instead. */
  body?: string;
  notice?: ThreadNotice;
  clientPostId?: string | null;
  /** Runs inside the post's transaction once the row is stored with its seq (documents attach, the read marker moves); a throw stores nothing. */
  withPost?: (postId: string, seq: number) => Promise<void>;
}

export interface AppendPostResult {
  id: string;
  seq: number;
  /** The same clientPostId was stored before: this is the first post, nothing new was stored. */
  duplicate: boolean;
}

/**
 * The threads core other modules build on: membership checks (`access`, `isClientOf`), the key
 * choice (`cipherFor`), the subject and post envelopes, and `appendPost`. Use cases: ThreadsUseCases.
 */
@Injectable()
export class ThreadsService {
  constructor(
    private readonly repo: ThreadsRepository,
    private readonly crypto: CryptoService,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
    private readonly clientCounselors: ClientCounselorsService,
  ) {}

  /**
   * The caller's membership of a thread of their center, or NOT_FOUND (also for admins: they are
   * never members, and never see content).
   */
  async access(auth: AuthContext, threadId: string): Promise<ThreadAccess> {
    const found = await this.repo.findWithMember(auth.centerId, threadId, auth.subjectId);
    if (!found?.member) throw errors.notFound('The thread');
    const { thread, member } = found;
    return { thread, member, role: member.role, visibleFromSeq: member.fromSeq };
  }

  /** The thread row without any membership check (for admins' metadata-only use and other modules' jobs). */
  findThread(centerId: string, threadId: string): Promise<Thread | null> {
    return this.repo.findThread(centerId, threadId);
  }

  /**
   * The client is "theirs": both are current members of one thread (the counselor as counselor), or
   * the counselor is the client's assigned counselor (booking, crisis contact, admin).
   */
  async isClientOf(centerId: string, counselorId: string, clientId: string): Promise<boolean> {
    return (await this.repo.shareThread(centerId, counselorId, clientId)) || (await this.clientCounselors.isAssigned(centerId, counselorId, clientId));
  }

  /** Open threads per counselor (ids and counts only; the crisis contacts' choice). */
  openThreadCounts(centerId: string, counselorIds: string[]): Promise<Map<string, number>> {
    return this.repo.openCountsOf(centerId, counselorIds);
  }

  /** The ids of the counselor's clients (every client `isClientOf` is true for), each once. */
  async clientIdsOf(centerId: string, counselorId: string): Promise<string[]> {
    const shared = await this.repo.clientsSharingThreadWith(centerId, counselorId);
    const assigned = await this.clientCounselors.clientsOf(centerId, counselorId);
    return [...new Set([...shared, ...assigned])];
  }

  /** Which of these accounts have written a post in a thread of the center (ids only, no content). */
  writersAmong(centerId: string, accountIds: string[]): Promise<Set<string>> {
    return this.repo.sendersAmong(centerId, accountIds);
  }

  /**
   * Whose key encrypts a row of this thread written by this account: in a 1:1 thread always the
   * client's account key (deleting the client shreds the conversation); in a group thread a
   * client's own rows with that client's key, everything else (subject, staff, system) with the
   * thread key. Add `table`, `column`, `rowId` for a full CipherContext.
   */
  cipherFor(thread: Pick<Thread, 'id' | 'centerId' | 'kind' | 'clientId'>, writerAccountId: string | null, writerRole: ThreadSenderRole): CipherBase {
    if (thread.kind !== 'group') {
      if (!thread.clientId) throw new Error(`1:1 thread ${thread.id} has no client`);
      return { centerId: thread.centerId, accountId: thread.clientId };
    }
    if (writerRole === 'client' && writerAccountId) return { centerId: thread.centerId, accountId: writerAccountId };
    return { centerId: thread.centerId, threadId: thread.id };
  }

  sealSubject(thread: Pick<Thread, 'id' | 'centerId' | 'kind' | 'clientId'>, subject: string): Promise<string> {
    return this.crypto.encrypt(this.subjectCtx(thread), subject);
  }

  subject(thread: Thread): Promise<string> {
    return this.crypto.decrypt(this.subjectCtx(thread), thread.subjectEnc);
  }

  /** The text of a stored post (a notice: its JSON); null for a tombstone. */
  async openBody(thread: Pick<Thread, 'id' | 'centerId' | 'kind' | 'clientId'>, post: ThreadPost): Promise<string | null> {
    if (post.body === null || post.kind === 'deleted') return null;
    return openPost(this.crypto, this.cipherFor(thread, post.senderId, post.senderRole), post.id, post.body);
  }

  /**
   * Appends a post with the thread's next seq (in the caller's transaction, or its own), encrypted
   * as `cipherFor` says; THREAD_POST_CREATED follows the commit (pushes and mails hang on it). A
   * closed (or missing) thread: CONFLICT. The same (sender, clientPostId) again: the first post.
   */
  async appendPost(input: AppendPostInput): Promise<AppendPostResult> {
    const { thread } = input;
    const text = input.kind === 'notice' ? JSON.stringify(input.notice ?? null) : (input.body ?? '');
    const post: ThreadPost = Object.assign(new ThreadPost(), {
      id: this.ids.uuid(),
      centerId: thread.centerId,
      threadId: thread.id,
      seq: 0,
      senderId: input.senderId,
      senderRole: input.senderRole,
      kind: input.kind,
      clientPostId: input.clientPostId ?? null,
      body: null as string | null,
      createdAt: this.clock.now(),
    });
    post.body = await sealPost(this.crypto, this.cipherFor(thread, post.senderId, post.senderRole), post.id, text);
    let result: AppendPostResult | null;
    // in a transaction of its own, a repeated clientPostId is found by the unique index (the rollback
    // then stores nothing, and the first post is read below); inside a caller's it is looked for first
    const checkDuplicate = this.tx.active;
    try {
      result = await this.tx.run(async () => {
        const r = await this.repo.appendPost(post, { checkDuplicate });
        if (r.kind === 'closed') throw errors.conflict('This thread is closed.');
        if (r.kind === 'duplicate') return null;
        if (input.withPost) await input.withPost(post.id, r.seq);
        await this.tx.afterCommit(() => this.announce(post, r.seq));
        return { id: post.id, seq: r.seq, duplicate: false };
      });
    } catch (err) {
      // the same clientPostId at the same moment: the other one won, this transaction stored nothing
      if (!isUniqueViolation(err)) throw err;
      result = null;
    }
    if (result) return result;
    const first = post.senderId && post.clientPostId ? await this.repo.findByClientPostId(thread.centerId, thread.id, post.senderId, post.clientPostId) : null;
    if (!first) throw errors.conflict('The post could not be stored. Please try again.');
    return { id: first.id, seq: first.seq, duplicate: true };
  }

  private async announce(post: ThreadPost, seq: number): Promise<void> {
    await emitEvent(this.events, THREAD_POST_CREATED, {
      centerId: post.centerId,
      threadId: post.threadId,
      postId: post.id,
      seq,
      senderId: post.senderId,
      senderRole: post.senderRole,
      kind: post.kind,
    });
  }

  private subjectCtx(thread: Pick<Thread, 'id' | 'centerId' | 'kind' | 'clientId'>): CipherContext {
    return { ...this.cipherFor(thread, null, 'system'), table: 'threads', column: 'subject_enc', rowId: thread.id };
  }
}
