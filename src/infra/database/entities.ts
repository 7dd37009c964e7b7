import { Account } from '../../modules/accounts/account.entity';
import { AuthToken } from '../../modules/auth/auth-token.entity';
import { PasswordReset } from '../../modules/auth/password-reset.entity';
import { Center } from '../../modules/centers/center.entity';
import { DataKey } from '../../modules/crypto/data-key.entity';
import { Message } from '../../modules/rooms/message.entity';
import { RoomMember } from '../../modules/rooms/room-member.entity';
import { Room } from '../../modules/rooms/room.entity';
import { LiveChat } from '../../modules/live-queue/live-chat.entity';
import { Shift } from '../../modules/live-queue/shift.entity';
import { VisitorBlock } from '../../modules/live-queue/visitor-block.entity';
import { TopicChat } from '../../modules/topic-chats/topic-chat.entity';
import { TopicParticipant } from '../../modules/topic-chats/topic-participant.entity';
import { CannedResponse } from '../../modules/canned-responses/canned-response.entity';
import { Thread } from '../../modules/threads/thread.entity';
import { ThreadMember } from '../../modules/threads/thread-member.entity';
import { ThreadPost } from '../../modules/threads/thread-post.entity';
import { Document } from '../../modules/documents/document.entity';
import { DocumentChunk } from '../../modules/documents/document-chunk.entity';
import { DocumentQuota } from '../../modules/documents/document-quota.entity';
import { Note } from '../../modules/notes/note.entity';
import { Absence } from '../../modules/absences/absence.entity';
import { ClientCounselor } from '../../modules/client-counselors/client-counselor.entity';
import { RetentionLease } from '../../modules/retention/retention-lease.entity';
import { Slot } from '../../modules/appointments/slot.entity';
import { Appointment } from '../../modules/appointments/appointment.entity';
import { VideoRoom } from '../../modules/video/video-room.entity';
import { VideoRoomClient } from '../../modules/video/video-room-client.entity';
import { VideoConsent, VideoConsentConfirmation } from '../../modules/video/video-consent.entity';

/** Every entity; the schema check in test/integration compares them with the migrations. */
export const ENTITIES = [
  Center,
  Account,
  AuthToken,
  DataKey,
  Room,
  RoomMember,
  Message,
  Shift,
  LiveChat,
  VisitorBlock,
  TopicChat,
  TopicParticipant,
  PasswordReset,
  CannedResponse,
  Thread,
  ThreadMember,
  ThreadPost,
  Document,
  DocumentChunk,
  DocumentQuota,
  Note,
  Absence,
  ClientCounselor,
  RetentionLease,
  Slot,
  Appointment,
  VideoRoom,
  VideoRoomClient,
  VideoConsent,
  VideoConsentConfirmation,
];
