/** The REST and socket shapes the widget uses: all of them are the contract's own (src/realtime/contract.ts). */
export type {
  CenterPublicInfo,
  LiveStatus,
  MessageView,
  OpeningHoursEntryView,
  QueueJoinResult,
  TopicChatListItem,
  VisitorResult,
} from '../../../src/realtime/contract';
