/**
 * The REST and push shapes of mail threads as the portal reads them: the server's contract types
 * (src/realtime/contract.ts), under the names the pages use.
 */
import type { ServerToClientEvents, ThreadPersonView } from '../../../../src/realtime/contract';

export type {
  ThreadKind,
  ThreadListItem,
  ThreadMemberView,
  ThreadNotice,
  ThreadPostedPush as ThreadPostedEvent,
  ThreadPostView,
  ThreadStatus,
  ThreadView as ThreadDetail,
} from '../../../../src/realtime/contract';

export type PersonRef = ThreadPersonView;
export type ThreadUpdatedEvent = Parameters<ServerToClientEvents['thread.updated']>[0];

/** A document as posts and uploads list it (`{ id, name, size }`). */
export interface DocumentView {
  id: string;
  name: string;
  size: number;
}
