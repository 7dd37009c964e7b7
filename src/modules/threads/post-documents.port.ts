import type { AuthContext } from '../../common/auth-context';
import { errors } from '../../common/errors';

/**
 * The documents of posts, as the threads module needs them (implemented by the documents module).
 *
 * How to implement it (no forwardRef, no import cycle): the documents module imports ThreadsModule
 * (for ThreadsService) and registers its implementation in the ThreadPorts registry that
 * ThreadsModule exports, for example
 * ```ts
 * @Injectable()
 * export class DocumentsService implements PostDocuments, OnModuleInit {
 *   constructor(private readonly ports: ThreadPorts, private readonly threads: ThreadsService) {}
 *   onModuleInit() { this.ports.register(POST_DOCUMENTS, this); }
 * }
 * ```
 * Until one registers, the threads module uses NO_POST_DOCUMENTS (no documents at all).
 * Every method runs inside the caller's `Transactions.run` when there is one (repositories that
 * write through `tx.bind(...)` join it), so `em` is only a convenience.
 */
export const POST_DOCUMENTS = 'threads.post-documents';

export interface PostDocumentView {
  id: string;
  name: string;
  size: number;
}

export interface PostDocuments {
  /**
   * Attaches the caller's own uploaded, not yet attached documents of this thread to a post that is
   * being stored, with the post's seq (who sees the post may download them), inside the post's
   * transaction; throw a DomainError — VALIDATION_FAILED or NOT_FOUND — to refuse the post: nothing
   * is stored then.
   */
  attach(auth: AuthContext, threadId: string, postId: string, postSeq: number, documentIds: string[], em?: unknown): Promise<void>;
  /** The documents of these posts (ids the caller may see already): post id → documents. */
  forPosts(centerId: string, postIds: string[]): Promise<Map<string, PostDocumentView[]>>;
  /** A whole thread is being deleted (inside the deletion transaction): rows, files and keys of its documents go. */
  deleteForThread(centerId: string, threadId: string): Promise<void>;
}

/** The default while no documents module registered: no post has documents, and none can be attached. */
export const NO_POST_DOCUMENTS: PostDocuments = {
  attach(_auth, _threadId, _postId, _postSeq, documentIds) {
    if (documentIds.length > 0) return Promise.reject(errors.validation('Documents cannot be attached here.', ['documentIds']));
    return Promise.resolve();
  },
  forPosts() {
    return Promise.resolve(new Map());
  },
  deleteForThread() {
    return Promise.resolve();
  },
};
