import { randomBytes } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import type { JitsiConfig } from '../../config/config';

/** How long a join token is valid (the contract allows at most 4 h). */
export const JITSI_TOKEN_SECONDS = 2 * 60 * 60;
/** `nbf` lies this far before `iat`: a Jitsi server whose clock is a little behind still accepts the token. */
const CLOCK_SKEW_SECONDS = 30;

export interface JitsiTokenInput {
  room: string;
  name: string;
  moderator: boolean;
  now: Date;
}

/**
 * A Jitsi join token (HS256 with JITSI_APP_SECRET): `aud: "jitsi"`, `iss`: the app id, `sub`: the
 * Jitsi domain, `room`: the one room it opens (never `*`). `context.user.moderator` (read by
 * prosody's token_affiliation) and `affiliation` make only the room's counselor an owner, and
 * `lobby_bypass` (token_lobby_bypass) lets only them past the lobby; recording, live streaming,
 * transcription and dial-out are off. No account id travels to the Jitsi server: only the name
 * the others see.
 */
export function signJitsiToken(config: JitsiConfig, input: JitsiTokenInput): string {
  const iat = Math.floor(input.now.getTime() / 1000);
  const payload = {
    aud: 'jitsi',
    iss: config.appId,
    sub: config.domain,
    room: input.room,
    iat,
    nbf: iat - CLOCK_SKEW_SECONDS,
    exp: iat + JITSI_TOKEN_SECONDS,
    context: {
      user: {
        name: input.name,
        moderator: input.moderator,
        affiliation: input.moderator ? 'owner' : 'member',
        lobby_bypass: input.moderator,
      },
      features: {
        recording: false,
        livestreaming: false,
        transcription: false,
        'outbound-call': false,
        'sip-outbound-call': false,
      },
    },
  };
  return sign(payload, config.appSecret, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT' } });
}

/** The room's URL on the Jitsi server; the portal opens `${url}?jwt=${jwt}`. */
export function jitsiRoomUrl(config: JitsiConfig, room: string): string {
  return `https://${config.domain}/${room}`;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 32 random base32 characters (160 bits): a room name nobody can guess or derive. */
export function randomJitsiName(): string {
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}
