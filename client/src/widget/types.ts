export type { LiveStatus, MessageView, QueueJoinResult, TopicChatListItem, VisitorResult } from '../../../src/realtime/contract';

/** One weekly chat time of a center, as GET /api/centers/:center answers it. */
export interface OpeningHoursEntryView {
  /** 0 = Sunday … 6 = Saturday */
  day: number;
  from: string;
  to: string;
}
