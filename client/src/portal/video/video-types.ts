/**
 * The REST shapes of video rooms as the portal reads them (issue 13, design "Video"). Written to
 * the design's shapes; the server's contract types replace them once they are shared.
 */

export interface PersonRef {
  id: string;
  displayName: string;
}

/** One of a counselor's rooms (`GET /api/video-rooms` as a counselor). */
export interface VideoRoomView {
  id: string;
  name: string;
  /** The guest link (`…/c/<slug>/video-invite#<token>`), null when there is none. */
  inviteUrl: string | null;
  clients: PersonRef[];
  createdAt: string;
}

/** A room a client is invited to (`GET /api/video-rooms` as a client). */
export interface InvitedRoomView {
  id: string;
  name: string;
  counselor: PersonRef;
}

/** The center's consent text (`GET /api/centers/:center/video-consent`). */
export interface ConsentView {
  version: number;
  text: string;
}

/** `POST /api/video-rooms/:id/join` and `POST /api/video-invites/:token/join`. */
export interface JoinAnswer {
  url: string;
  jwt: string;
}

/** `GET /api/video-invites/:token`. */
export interface InviteView {
  center: { slug: string; name: string };
  counselor: { displayName: string };
  consent: ConsentView;
}

export const VIDEO_LIMITS = {
  nameMax: 120,
  displayNameMax: 60,
  consentMax: 20000,
} as const;

/** The address the portal opens in a new tab: the room on the center's Jitsi with the JWT. */
export function joinLink(answer: JoinAnswer): string {
  return `${answer.url}?jwt=${encodeURIComponent(answer.jwt)}`;
}
