/**
 * The REST and push shapes of mail threads as the portal reads them (CONTRACT.md "Registered
 * counseling", tasks/threads-design.md). Provisional until the server's contract types exist.
 */
export type ThreadKind = 'enquiry' | 'direct' | 'group';
export type ThreadStatus = 'waiting' | 'open' | 'closed';
export type PostKind = 'post' | 'notice' | 'center_notice' | 'deleted';
export type SenderRole = 'client' | 'counselor' | 'admin' | 'system';

export interface PersonRef {
  id: string;
  displayName: string;
}

/** `GET /api/threads`: the caller's threads (admins: `subject` null, `client` for waiting enquiries). */
export interface ThreadListItem {
  id: string;
  subject: string | null;
  counselor: PersonRef | null;
  unread: number;
  lastPostAt: string | null;
  kind?: ThreadKind;
  status?: ThreadStatus;
  createdAt?: string;
  client?: PersonRef | null;
}

export interface ThreadMemberView {
  id: string | null;
  displayName: string | null;
  role?: 'client' | 'counselor';
  deleted?: boolean;
}

/** `GET /api/threads/:id`. */
export interface ThreadDetail {
  id: string;
  kind: ThreadKind;
  status: ThreadStatus;
  subject: string | null;
  counselor: PersonRef | null;
  members: ThreadMemberView[];
  lastSeq: number;
  lastReadSeq: number;
  absence: { until: string; text: string } | null;
}

export interface DocumentView {
  id: string;
  name: string;
  size: number;
}

/** One post of `GET /api/threads/:id/posts`; a notice carries its code in `body` (or `notice`). */
export interface ThreadPostView {
  id: string;
  seq: number;
  kind?: PostKind;
  sender: { id: string | null; displayName: string | null; role: SenderRole } | null;
  body: string | null;
  documents: DocumentView[];
  createdAt: string;
  notice?: string | null;
}

export interface ThreadPostedEvent {
  threadId: string;
  seq: number;
  postId: string;
  senderRole: SenderRole;
}

export interface ThreadUpdatedEvent {
  threadId: string;
}
