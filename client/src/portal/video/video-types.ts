/**
 * The REST shapes of video rooms as the portal reads them: the server's contract types
 * (src/realtime/contract.ts, issue 13), under the names the pages use.
 */
import type { VideoJoinResult } from '../../../../src/realtime/contract';

export type {
  VideoConsentView as ConsentView,
  VideoInviteView as InviteView,
  VideoJoinResult as JoinAnswer,
  VideoPersonView as PersonRef,
  VideoRoomClientView as InvitedRoomView,
  VideoRoomCreated,
  VideoRoomView,
} from '../../../../src/realtime/contract';

import { VIDEO_LIMITS as LIMITS } from '../../../../src/realtime/contract';

/** The server's limits, under the names the forms use. */
export const VIDEO_LIMITS = {
  nameMax: LIMITS.roomNameMax,
  displayNameMax: LIMITS.guestNameMax,
  consentMax: LIMITS.consentTextMax,
} as const;

/** The address the portal opens in a new tab: the room on the center's Jitsi with the JWT. */
export function joinLink(answer: VideoJoinResult): string {
  return `${answer.url}?jwt=${encodeURIComponent(answer.jwt)}`;
}
