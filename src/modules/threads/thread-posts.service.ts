import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../../common/auth-context';
import { THREAD_LIMITS, type ThreadNotice, type ThreadPostView } from '../../realtime/contract';
import { AccountsService } from '../accounts/accounts.service';
import { CreatePostDto, PostsQueryDto } from './dto/threads.dto';
import { POST_DOCUMENTS, type PostDocumentView } from './post-documents.port';
import { ThreadPorts } from './thread-ports';
import type { ThreadPost } from './thread-post.entity';
import type { Thread } from './thread.entity';
import { ThreadsRepository } from './threads.repository';
import { ThreadsService } from './threads.service';

/** Reading and writing posts: members only, each from their own `from_seq` on. */
@Injectable()
export class ThreadPostsService {
  constructor(
    private readonly repo: ThreadsRepository,
    private readonly threads: ThreadsService,
    private readonly accounts: AccountsService,
    private readonly ports: ThreadPorts,
  ) {}

  /** `GET /api/threads/:id/posts?afterSeq=&limit=`: oldest first, at most 100, never before the member's from_seq. */
  async list(auth: AuthContext, threadId: string, q: PostsQueryDto): Promise<{ posts: ThreadPostView[] }> {
    const { thread, visibleFromSeq } = await this.threads.access(auth, threadId);
    const after = Math.max(q.afterSeq ?? 0, visibleFromSeq);
    const posts = await this.repo.page(auth.centerId, thread.id, after, q.limit ?? THREAD_LIMITS.pageMax);
    const documents =
      posts.length > 0
        ? await this.ports.get(POST_DOCUMENTS).forPosts(
            auth.centerId,
            posts.map((p) => p.id),
          )
        : new Map<string, PostDocumentView[]>();
    const senderIds = [...new Set(posts.flatMap((p) => (p.senderId ? [p.senderId] : [])))];
    const senders = new Map((await this.accounts.findManyByIds(auth.centerId, senderIds)).map((a) => [a.id, a]));
    const views: ThreadPostView[] = [];
    for (const p of posts) views.push(await this.view(auth, thread, p, senders, documents.get(p.id) ?? []));
    return { posts: views };
  }

  /** `POST /api/threads/:id/posts`: `201 { id, seq }`; the same clientPostId again returns the first post and stores nothing. */
  async create(auth: AuthContext, threadId: string, dto: CreatePostDto): Promise<{ id: string; seq: number }> {
    const { thread, role } = await this.threads.access(auth, threadId);
    const documentIds = dto.documentIds ?? [];
    const result = await this.threads.appendPost({
      thread,
      senderId: auth.subjectId,
      senderRole: role,
      kind: 'post',
      body: dto.body,
      clientPostId: dto.clientPostId,
      withPost: async (postId, seq) => {
        if (documentIds.length > 0) await this.ports.get(POST_DOCUMENTS).attach(auth, thread.id, postId, seq, documentIds);
        // one's own post is read (in the post's transaction: one commit)
        await this.repo.markRead(auth.centerId, thread.id, auth.subjectId, seq);
      },
    });
    return { id: result.id, seq: result.seq };
  }

  /** `POST /api/threads/:id/read { seq }`: moves the caller's read marker forward (to at most the last post). */
  async markRead(auth: AuthContext, threadId: string, seq: number): Promise<Record<string, never>> {
    const { thread } = await this.threads.access(auth, threadId);
    await this.repo.markRead(auth.centerId, thread.id, auth.subjectId, Math.min(seq, thread.lastSeq));
    return {};
  }

  private async view(
    auth: AuthContext,
    thread: Thread,
    p: ThreadPost,
    senders: Map<string, { id: string; displayName: string }>,
    documents: { id: string; name: string; size: number }[],
  ): Promise<ThreadPostView> {
    const account = p.senderId ? senders.get(p.senderId) : undefined;
    const sender = account && p.senderRole !== 'system' ? { id: account.id, displayName: account.displayName, role: p.senderRole } : null;
    const text = await this.threads.openBody(thread, p);
    const base: Omit<ThreadPostView, 'body'> = { id: p.id, seq: p.seq, kind: p.kind, sender, documents, createdAt: p.createdAt.toISOString() };
    // the writer's own clientPostId, so their page can tell its stored post from the one it is still sending
    if (p.clientPostId && p.senderId === auth.subjectId) base.clientPostId = p.clientPostId;
    if (p.kind === 'notice') return { ...base, body: null, notice: text ? (JSON.parse(text) as ThreadNotice) : undefined };
    return { ...base, body: p.kind === 'deleted' ? null : text };
  }
}
