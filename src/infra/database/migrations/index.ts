import { Foundation1764300000000 } from './1764300000000-foundation';
import { Rooms1764400000000 } from './1764400000000-rooms';
import { LiveChat1764500000000 } from './1764500000000-live-chat';
import { TopicChats1764600000000 } from './1764600000000-topic-chats';
import { CenterEmergencyText1764700000000 } from './1764700000000-center-emergency-text';
import { LiveChatFailures1764800000000 } from './1764800000000-live-chat-failures';
import { LiveChatCounselorAway1764800000001 } from './1764800000001-live-chat-counselor-away';
import { CiphertextNamesAndKeyIds1764900000000 } from './1764900000000-ciphertext-names-and-key-ids';
import { LoginNormalForm1765000000000 } from './1765000000000-login-normal-form';
import { TopicNicknamesEncrypted1765000100000 } from './1765000100000-topic-nicknames-encrypted';
import { AccountNameKey1765000200000 } from './1765000200000-account-name-key';
import { PasswordResets1765100100000 } from './1765100100000-password-resets';
import { CannedResponses1765100300000 } from './1765100300000-canned-responses';
import { StaffStatusAndCenterLinks1765100400000 } from './1765100400000-staff-status-and-center-links';
import { Threads1765200000000 } from './1765200000000-threads';
import { Documents1765200100000 } from './1765200100000-documents';
import { NotesAndAbsences1765200200000 } from './1765200200000-notes-and-absences';
import { Retention1765200210000 } from './1765200210000-retention';
import { ClientCounselors1765300000000 } from './1765300000000-client-counselors';
import { Appointments1765310000000 } from './1765310000000-appointments';
import { VideoRooms1765320000000 } from './1765320000000-video-rooms';
import { StaffProfiles1765330000000 } from './1765330000000-staff-profiles';
import { StatCounts1765340000000 } from './1765340000000-stat-counts';
import { EmailConfirmExpiry1765430000000 } from './1765430000000-email-confirm-expiry';

/** Every migration, in order. Never edit a committed one; add a new file and list it here. */
export const MIGRATIONS = [
  Foundation1764300000000,
  Rooms1764400000000,
  LiveChat1764500000000,
  TopicChats1764600000000,
  CenterEmergencyText1764700000000,
  LiveChatFailures1764800000000,
  LiveChatCounselorAway1764800000001,
  CiphertextNamesAndKeyIds1764900000000,
  LoginNormalForm1765000000000,
  TopicNicknamesEncrypted1765000100000,
  AccountNameKey1765000200000,
  PasswordResets1765100100000,
  CannedResponses1765100300000,
  StaffStatusAndCenterLinks1765100400000,
  Threads1765200000000,
  Documents1765200100000,
  NotesAndAbsences1765200200000,
  Retention1765200210000,
  ClientCounselors1765300000000,
  Appointments1765310000000,
  VideoRooms1765320000000,
  StaffProfiles1765330000000,
  StatCounts1765340000000,
  EmailConfirmExpiry1765430000000,
];
