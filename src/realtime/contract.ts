/**
 * The public Socket.IO contract of Lotse (see ../shared/CONTRACT.md and docs/realtime.md).
 * Shared by the server, the browser client in `client/` and the load tests in `load/`.
 * This file holds types and constants only, so any bundler can import it.
 */

/** Every error code a caller can receive, over REST (`{ error: { code, message } }`) or in an ack. */
export const ERROR_CODES = [
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VALIDATION_FAILED',
  'RATE_LIMITED',
  'CONFLICT',
  'LIVE_CLOSED',
  'QUEUE_FULL',
  'ALREADY_WAITING',
  'TOPIC_NOT_OPEN',
  'TOPIC_FULL',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'VIDEO_NOT_CONFIGURED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  /** Field names that failed validation (VALIDATION_FAILED only). */
  fields?: string[];
  /** RATE_LIMITED only: milliseconds until a retry can succeed (REST also sends `Retry-After` in seconds). */
  retryAfterMs?: number;
}

/** The answer to every client→server command. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckCallback<T> = (answer: Ack<T>) => void;

export type Role = 'admin' | 'counselor' | 'client' | 'visitor';

export interface AccountView {
  id: string;
  role: Role;
  displayName: string;
}

export interface MessageView {
  roomId: string;
  id: string;
  seq: number;
  clientMsgId: string;
  sender: { id: string; displayName: string; role: Role };
  body: string;
  sentAt: string;
}

export type RoomKind = 'direct' | 'group' | 'live' | 'topic';

// ---- command payloads and results -------------------------------------------------------------

export interface ShiftOpenPayload {
  maxChats: number;
}
export interface ShiftOpenResult {
  shiftId: string;
}
export interface QueueJoinPayload {
  message?: string;
}
export interface QueueJoinResult {
  position: number;
}
export interface RoomCreatePayload {
  name: string;
  memberIds: string[];
  startsAt?: string;
  endsAt?: string;
}
export interface RoomCreateResult {
  roomId: string;
}
export interface RoomRef {
  roomId: string;
}
export interface RoomJoinResult {
  roomId: string;
  name: string;
  lastSeq: number;
}
export interface MessageSendPayload {
  roomId: string;
  clientMsgId: string;
  body: string;
}
export interface MessageSendResult {
  id: string;
  seq: number;
  sentAt: string;
}
export interface RoomHistoryPayload {
  roomId: string;
  afterSeq?: number;
  beforeSeq?: number;
  limit?: number;
}
export interface RoomHistoryResult {
  messages: MessageView[];
}
export interface RoomReadPayload {
  roomId: string;
  seq: number;
}
export interface TypingPayload {
  roomId: string;
  typing: boolean;
}
export interface TopicJoinPayload {
  topicChatId: string;
  nickname: string;
}
export interface LiveEndPayload {
  roomId: string;
  /** Also block this visitor token from joining the queue again. */
  block?: boolean;
}
export interface TopicModeratePayload {
  roomId: string;
  participantId: string;
  /** `topic.mute` only: false lifts the mute (default true). */
  muted?: boolean;
}

type Empty = Record<string, never>;

export interface ClientToServerEvents {
  'shift.open': (p: ShiftOpenPayload, ack: AckCallback<ShiftOpenResult>) => void;
  'shift.close': (p: Empty, ack: AckCallback<Empty>) => void;
  'queue.join': (p: QueueJoinPayload, ack: AckCallback<QueueJoinResult>) => void;
  'queue.leave': (p: Empty, ack: AckCallback<Empty>) => void;
  'room.create': (p: RoomCreatePayload, ack: AckCallback<RoomCreateResult>) => void;
  'room.join': (p: RoomRef, ack: AckCallback<RoomJoinResult>) => void;
  'room.close': (p: RoomRef, ack: AckCallback<Empty>) => void;
  'room.read': (p: RoomReadPayload, ack: AckCallback<Empty>) => void;
  'room.typing': (p: TypingPayload, ack: AckCallback<Empty>) => void;
  'message.send': (p: MessageSendPayload, ack: AckCallback<MessageSendResult>) => void;
  'room.history': (p: RoomHistoryPayload, ack: AckCallback<RoomHistoryResult>) => void;
  'topic.join': (p: TopicJoinPayload, ack: AckCallback<RoomRef>) => void;
  'topic.mute': (p: TopicModeratePayload, ack: AckCallback<Empty>) => void;
  'topic.remove': (p: TopicModeratePayload, ack: AckCallback<Empty>) => void;
  'live.end': (p: LiveEndPayload, ack: AckCallback<Empty>) => void;
  /** Counselor: everything the console needs after a (re)login: shift, running chats, queue. */
  'live.sync': (p: Empty, ack: AckCallback<LiveSyncResult>) => void;
  /** Counselor on shift: take a (suspicious) waiting visitor out of the line, optionally blocking their address. */
  'queue.remove': (p: QueueRemovePayload, ack: AckCallback<Empty>) => void;
}

/** Why a visitor's wait ended without a counselor. */
/** `lost`: the store lost the waiting line (a Redis without persistence restarted); the visitor may join again. */
export type QueueClosedReason = 'shift_closed' | 'timeout' | 'left' | 'blocked' | 'disconnected' | 'removed' | 'error' | 'lost';

export interface QueueWaitingEntry {
  visitorId: string;
  firstMessage: string | null;
  joinedAt: string;
  /** Several visitors wait from the same address right now (possible flooding). */
  suspicious?: boolean;
}

export interface QueueRemovePayload {
  visitorId: string;
  /** Also block the visitor's address for the center's block duration. */
  block?: boolean;
}

/**
 * Why a live chat ended (`room.closed.reason` of a live room). Shown to both sides:
 * `ended_by_counselor`, `ended_by_visitor`; `left`: the visitor left (quick exit, queue.leave);
 * `disconnected`: the visitor's connection was gone beyond the grace; `counselor_gone`: the
 * counselor's connection was gone beyond the shift grace and nobody could take over;
 * `handed_over`: (to the old counselor only) another counselor took the chat over;
 * `blocked`: the counselor ended the chat and blocked the visitor.
 */
export type LiveEndReason = 'ended_by_counselor' | 'ended_by_visitor' | 'left' | 'disconnected' | 'counselor_gone' | 'handed_over' | 'blocked';

/** A running live chat as the counselor's console shows it. */
export interface LiveChatView {
  roomId: string;
  /** Short distinguishable name of the chat (generated; no personal data). */
  label: string;
  assignedAt: string;
  /** How long the visitor waited before the assignment. */
  waitedMs: number;
  lastSeq: number;
  unread: number;
  /** The visitor has no connection right now (within the grace). */
  peerAway: boolean;
}

export interface LiveSyncResult {
  shift: { shiftId: string; maxChats: number } | null;
  chats: LiveChatView[];
  waiting: number;
  entries: QueueWaitingEntry[];
}

/** Who is absent in a paused live chat. */
export type LivePeer = 'counselor' | 'visitor';

export interface ServerToClientEvents {
  /** `estimateMinutes`: from this center's recent assignment times, or null when it cannot be estimated. */
  'queue.position': (p: { position: number; estimateMinutes?: number | null }) => void;
  /** To the counselor also `label`, `assignedAt`, `waitedMs` (see LiveChatView). */
  'queue.assigned': (p: { roomId: string; peer: { displayName: string }; label?: string; assignedAt?: string; waitedMs?: number }) => void;
  /** The other side of a live chat lost its last connection (messages are still kept). */
  'live.paused': (p: { roomId: string; who: LivePeer }) => void;
  /** The absent side is back. */
  'live.resumed': (p: { roomId: string; who: LivePeer }) => void;
  /** To the visitor: another counselor took the chat over (same room, same history). */
  'live.handedOver': (p: { roomId: string; peer: { displayName: string } }) => void;
  'queue.closed': (p: { reason: QueueClosedReason }) => void;
  'queue.updated': (p: { waiting: number; entries?: QueueWaitingEntry[] }) => void;
  'message.created': (p: MessageView) => void;
  'room.closed': (p: { roomId: string; reason: string }) => void;
  'room.typing': (p: { roomId: string; sender: { id: string; displayName: string }; typing: boolean }) => void;
  'room.read': (p: { roomId: string; seq: number }) => void;
  'room.added': (p: { roomId: string; name: string; kind: RoomKind }) => void;
  'shift.closed': (p: { shiftId: string; reason: string }) => void;
  /** A new post in a mail thread (no body: fetch `GET /api/threads/:id/posts?afterSeq=`); to every member session, the sender's other tabs too. */
  'thread.posted': (p: ThreadPostedPush) => void;
  /** A thread changed (assigned, reassigned, closed, members changed): to its members and the center's admins; re-read it. */
  'thread.updated': (p: { threadId: string }) => void;
  /** An appointment was booked, cancelled or deleted: to its client and its counselor; re-read `GET /api/appointments`. */
  'appointment.changed': (p: { appointmentId: string }) => void;
}

// ---- public REST shapes ------------------------------------------------------------------------

export interface LiveStatus {
  open: boolean;
  full: boolean;
  waiting: number;
}

export interface TopicChatListItem {
  id: string;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  status: 'scheduled' | 'open' | 'ended';
  /** How many may join (additive to the contract's list shape). */
  capacity: number;
}

export interface LoginResult {
  token: string;
  account: AccountView;
}

/** One weekly chat time of a center (in the center's time zone). */
export interface OpeningHoursEntryView {
  /** 0 = Sunday … 6 = Saturday */
  day: number;
  /** "HH:MM" */
  from: string;
  to: string;
}

/** A center as GET /api/centers/:center answers it (public, no token). */
export interface CenterPublicInfo {
  slug: string;
  name: string;
  privacyText: string | null;
  /** The center's crisis lines; null = the default text of the widget. */
  emergencyText: string | null;
  openingHours: OpeningHoursEntryView[];
  timeZone: string;
  /** Where quick exit leaves to (a neutral page on another site). */
  quickExitUrl?: string;
  /** The center's imprint and privacy statement (links on every page); null = not set. */
  imprintUrl?: string | null;
  privacyUrl?: string | null;
  /** The installation has a Jitsi for video rooms (JITSI_*); false: the portal hides video. */
  video?: boolean;
}

/** One center in the public list (`GET /api/centers`). */
export interface CenterListItem {
  slug: string;
  name: string;
}

/** One member of a room as GET /api/rooms/:id/members answers it. */
export interface RoomMemberView {
  id: string;
  displayName: string;
  role: Role;
  muted: boolean;
}

/** One of the caller's rooms as GET /api/rooms answers it (newest first; `unread = lastSeq - lastReadSeq`). */
export interface RoomListItem {
  id: string;
  kind: RoomKind;
  name: string;
  lastSeq: number;
  lastReadSeq: number;
  unread: number;
  /** The writing window (ISO 8601), when the room has one. */
  startsAt: string | null;
  endsAt: string | null;
  /** Set once the room was closed (`room.close`): readable, nobody can write. */
  closedAt: string | null;
  createdAt: string;
}

export interface VisitorResult {
  token: string;
  visitorId: string;
}

/** A counselor's private note (`GET /api/clients/:clientId/notes`, `GET /api/threads/:id/notes`); only its author reads it. */
export interface NoteView {
  id: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export const NOTE_LIMITS = {
  bodyMax: 4000,
  /** Notes one counselor keeps about one client, and about one thread. */
  perAuthorPerSubject: 200,
} as const;

/** A counselor's absence (`GET /api/absence`); `active` while startsAt ≤ now < endsAt. */
export interface AbsenceView {
  startsAt: string;
  endsAt: string;
  text: string;
  active: boolean;
}

/** One entry of the admin's `GET /api/absences`: who is away now or next. */
export interface AbsenceListItem extends AbsenceView {
  counselor: { id: string; displayName: string };
}

export const ABSENCE_LIMITS = {
  textMax: 1000,
  /** The longest absence (days): longer leave is a reassignment. */
  maxDays: 366,
} as const;

/** `GET /api/admin/retention`: what the retention sweep deletes in the next 7 and 30 days. */
export interface RetentionOverview {
  settings: { threadRetentionDays: number; unconfirmedRegistrationDays: number; unusedAccountDays: number };
  /** Counts of what expires within 7 and within 30 days from now. */
  within7Days: RetentionCounts;
  within30Days: RetentionCounts;
  /** Closed threads by date only (never subject or content), soonest first, up to 30 days. */
  threads: { closedAt: string; expiresAt: string }[];
  /** Client accounts by pseudonym, soonest first, up to 30 days. */
  accounts: { id: string; displayName: string; reason: 'unconfirmed' | 'unused'; expiresAt: string }[];
}
export interface RetentionCounts {
  threads: number;
  unconfirmedRegistrations: number;
  unusedAccounts: number;
}

export const LIMITS = {
  messageBodyMax: 4000,
  historyPageMax: 200,
  maxChatsMin: 1,
  maxChatsMax: 10,
  nicknameMax: 40,
  roomNameMax: 120,
  clientMsgIdMax: 64,
} as const;

/** A counselor's own canned response (`GET /api/canned-responses`); title and body are encrypted at rest. */
export interface CannedResponseView {
  id: string;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export const CANNED_LIMITS = {
  titleMax: 80,
  bodyMax: 2000,
  perCounselor: 100,
} as const;

// ---- mail counseling (threads, issue 12; docs/portal/threads.md) ---------------------------------

export type ThreadKind = 'enquiry' | 'direct' | 'group';
export type ThreadStatus = 'waiting' | 'open' | 'closed';
export type ThreadSenderRole = 'client' | 'counselor' | 'admin' | 'system';
export type ThreadPostKind = 'post' | 'notice' | 'center_notice' | 'deleted';

export const THREAD_LIMITS = {
  subjectMax: 200,
  bodyMax: 20_000,
  clientPostIdMax: 64,
  /** Posts per page of `GET /api/threads/:id/posts`. */
  pageMax: 100,
  /** Clients in one group thread (besides the counselor). */
  groupMax: 20,
  /** At most one notification mail per member and thread in this window. */
  mailThrottleMs: 15 * 60 * 1000,
} as const;

export interface ThreadPostedPush {
  threadId: string;
  seq: number;
  postId: string;
  senderRole: ThreadSenderRole;
}

/**
 * A system notice (`kind: 'notice'`): a code and parameters, translated by the portal.
 * `reassigned`: the thread continues with `params.counselor` (a display name).
 */
export interface ThreadNotice {
  code: 'reassigned' | 'member_removed' | 'absence';
  params: Record<string, string>;
}

export interface ThreadPersonView {
  id: string;
  displayName: string;
}

/** One entry of `GET /api/threads`. For the admin `subject` is null (and `client` says who, for 1:1 threads). */
export interface ThreadListItem {
  id: string;
  kind: ThreadKind;
  status: ThreadStatus;
  subject: string | null;
  counselor: ThreadPersonView | null;
  unread: number;
  lastPostAt: string;
  createdAt: string;
  /** The admin's list only: the client of a 1:1 thread (pseudonym), null for a group. */
  client?: ThreadPersonView | null;
}

export type ThreadMemberView =
  { id: string; displayName: string; role: 'client' | 'counselor'; deleted?: false } | { id: null; displayName: null; role: 'client'; deleted: true };

/** `GET /api/threads/:id` */
export interface ThreadView {
  id: string;
  kind: ThreadKind;
  status: ThreadStatus;
  subject: string;
  counselor: ThreadPersonView | null;
  members: ThreadMemberView[];
  lastSeq: number;
  lastReadSeq: number;
  absence: { until: string; text: string } | null;
  createdAt: string;
  closedAt: string | null;
}

export interface ThreadPostView {
  id: string;
  seq: number;
  kind: ThreadPostKind;
  /** null for system notices and deleted posts. */
  sender: { id: string; displayName: string; role: ThreadSenderRole } | null;
  /** The text; null for a notice (see `notice`) and a deleted post. */
  body: string | null;
  notice?: ThreadNotice;
  documents: { id: string; name: string; size: number }[];
  createdAt: string;
  /** Only on the caller's own posts: the clientPostId it was sent with. */
  clientPostId?: string;
}

// ---- video rooms (issue 13; docs/portal/video.md) -------------------------------------------------

export const VIDEO_LIMITS = {
  roomNameMax: 120,
  guestNameMax: 80,
  consentTextMax: 20000,
  /** Rooms one counselor keeps. */
  roomsPerCounselor: 200,
  /** Clients invited to one room. */
  clientsPerRoom: 50,
} as const;

export interface VideoPersonView {
  id: string;
  displayName: string;
}

/** The counselor's own room (`GET /api/video-rooms` as a counselor). */
export interface VideoRoomView {
  id: string;
  name: string;
  /** The guest link (`${PUBLIC_URL}/c/<slug>/video-invite#<token>`), null when the room has none. */
  inviteUrl: string | null;
  clients: VideoPersonView[];
  createdAt: string;
}

/** A room a client is invited to (`GET /api/video-rooms` as a client). */
export interface VideoRoomClientView {
  id: string;
  name: string;
  counselor: VideoPersonView;
}

/** `POST /api/video-rooms` → 201. */
export interface VideoRoomCreated {
  id: string;
  name: string;
  inviteUrl: string;
}

/** `POST /api/video-rooms/:id/join`, `POST /api/video-invites/:token/join`: open `${url}?jwt=${jwt}` in a new tab. */
export interface VideoJoinResult {
  url: string;
  jwt: string;
}

/** The center's consent text for video sessions (`GET /api/centers/:center/video-consent`). */
export interface VideoConsentView {
  version: number;
  text: string;
}

/** What a guest link shows (`GET /api/video-invites/:token`). */
export interface VideoInviteView {
  center: { slug: string; name: string };
  counselor: { displayName: string };
  consent: VideoConsentView;
}

// ---- appointments (issue 13) ---------------------------------------------------------------------

/** How a booked appointment takes place. */
export const APPOINTMENT_FORMS = ['video', 'chat', 'mail', 'phone'] as const;
export type AppointmentForm = (typeof APPOINTMENT_FORMS)[number];

export const APPOINTMENT_LIMITS = {
  /** A weekly series: at most this many weeks (1 = a single slot). */
  maxWeeks: 26,
  /** The longest slot (hours). */
  maxHours: 8,
  /** `GET /api/centers/:center/slots` answers at most this many slots. */
  freeListMax: 200,
  /** Past appointments (and their slots) are deleted this many days after their end. */
  keepDays: 30,
} as const;

/** `POST /api/slots` → `201`: `id` is the first slot, `ids` every slot of the series, in order. */
export interface SlotsCreated {
  id: string;
  ids: string[];
}

/** `GET /api/slots` (counselor): their own slots that have not ended, the soonest first. */
export interface OwnSlotView {
  id: string;
  startsAt: string;
  endsAt: string;
  forms: AppointmentForm[];
  status: 'free' | 'booked';
  appointmentId: string | null;
}

/** `GET /api/centers/:center/slots` (client): free future slots of active counselors, the soonest first. */
export interface FreeSlotView {
  id: string;
  startsAt: string;
  endsAt: string;
  forms: AppointmentForm[];
  counselor: { id: string; displayName: string };
}

export type AppointmentStatus = 'booked' | 'cancelled';

/** `GET /api/appointments`: the caller's appointments, the soonest first. */
export interface AppointmentView {
  id: string;
  startsAt: string;
  endsAt: string;
  form: AppointmentForm;
  status: AppointmentStatus;
  cancelledBy: 'client' | 'counselor' | null;
  counselor: { id: string; displayName: string };
  /** null in the client's own view. */
  client: { id: string; displayName: string } | null;
  videoRoomId: string | null;
}

/** Team page and crisis contacts (issue 13). */
export const TEAM_LIMITS = {
  textMax: 2000,
  displayNameMax: 120,
  /** Uploads larger than this are refused (413); the stored picture is a small JPEG. */
  pictureMaxBytes: 5 * 1024 * 1024,
} as const;

/** `GET /api/centers/:center/team` (public): one counselor who chose to appear. */
export interface TeamMemberView {
  id: string;
  displayName: string;
  /** '' when they wrote none. */
  text: string;
  /** `/api/centers/:center/team/:id/picture?v=…`, or null. */
  pictureUrl: string | null;
}

/** `GET /api/accounts/me/profile` (staff): the caller's own team page and crisis settings. */
export interface StaffProfileView {
  displayName: string;
  role: 'admin' | 'counselor';
  teamText: string;
  onTeamPage: boolean;
  /** Only counselors can be crisis contacts (false for admins). */
  crisisContact: boolean;
  /** The admin hid the counselor from the team page (and from crisis assignment). */
  teamHidden: boolean;
  /** Whether the public team page shows them now. */
  shown: boolean;
  /** The public address (works while `shown`); the own picture is at `GET /api/accounts/me/picture`. */
  pictureUrl: string | null;
}

/** `GET /api/accounts/me/counselor` (client). */
export interface MyCounselorView {
  counselor: { id: string; displayName: string } | null;
}

// ---- statistics (issue 13) ------------------------------------------------------------------------

/** A count in the statistics: 0, 3 or more, or "< 3" for 1 and 2 (nobody is singled out). */
export type StatsCount = number | '< 3';
export type StatsGrouping = 'day' | 'week';

/** One day (or week, dated with its first day in the range) of `GET /api/centers/:center/stats`. */
export interface StatsPeriod {
  date: string;
  liveStarted: StatsCount;
  liveRefusedFull: StatsCount;
  liveRefusedClosed: StatsCount;
  /** Seconds (a bucket's upper edge); null with fewer than 3 values. */
  waitMedianSeconds: number | null;
  waitP90Seconds: number | null;
  durationMedianSeconds: number | null;
  topicChats: StatsCount;
  topicParticipants: StatsCount;
  enquiries: StatsCount;
  posts: StatsCount;
  appointments: { video: StatsCount; chat: StatsCount; mail: StatsCount; phone: StatsCount };
  videoSessions: StatsCount;
}

/** `GET /api/centers/:center/stats`: counts only, never an id, a name or a text. */
export interface StatsReport {
  timeZone: string;
  by: StatsGrouping;
  from: string;
  to: string;
  days: StatsPeriod[];
}

/** The columns of the statistics table and CSV, in order (the JSON field names; appointments flattened). */
export const STATS_COLUMNS = [
  'date',
  'liveStarted',
  'liveRefusedFull',
  'liveRefusedClosed',
  'waitMedianSeconds',
  'waitP90Seconds',
  'durationMedianSeconds',
  'topicChats',
  'topicParticipants',
  'enquiries',
  'posts',
  'appointmentsVideo',
  'appointmentsChat',
  'appointmentsMail',
  'appointmentsPhone',
  'videoSessions',
] as const;

/**
 * Every client→server command at runtime (the attack suite's access matrix walks it: a command
 * without an entry there fails the suite). Kept equal to the keys of `ClientToServerEvents`:
 * `CLIENT_COMMANDS_COMPLETE` does not compile while one is missing, `satisfies` while one is extra.
 */
export const CLIENT_COMMANDS = [
  'shift.open',
  'shift.close',
  'queue.join',
  'queue.leave',
  'room.create',
  'room.join',
  'room.close',
  'room.read',
  'room.typing',
  'message.send',
  'room.history',
  'topic.join',
  'topic.mute',
  'topic.remove',
  'live.end',
  'live.sync',
  'queue.remove',
] as const satisfies readonly (keyof ClientToServerEvents)[];
export const CLIENT_COMMANDS_COMPLETE: [Exclude<keyof ClientToServerEvents, (typeof CLIENT_COMMANDS)[number]>] extends [never] ? true : false = true;
