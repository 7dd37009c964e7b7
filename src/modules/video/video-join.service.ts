import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuthContext } from '../../common/auth-context';
import { Clock } from '../../common/clock';
import { errors } from '../../common/errors';
import { emitEvent, STAT_COUNTED } from '../../common/events';
import { hasInvisible, lookAlikeKey, stripBidiControls } from '../../common/names';
import { Transactions } from '../../infra/database/transactions';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import type { VideoInviteView, VideoJoinResult } from '../../realtime/contract';
import { AbsencesService } from '../absences/absences.service';
import { AccountsService } from '../accounts/accounts.service';
import { CentersService } from '../centers/centers.service';
import { GuestJoinDto, JoinVideoRoomDto } from './dto/video.dto';
import { jitsiRoomUrl, signJitsiToken } from './jitsi-token';
import { VideoConfig } from './video-config';
import { VideoConsentService } from './video-consent.service';
import { VideoRoom } from './video-room.entity';
import { inviteHash } from './video-rooms.service';
import { VideoRepository } from './video.repository';

const ROOM = 'The video room';
const INVITE = 'The invitation';
/** A guest token as issued (32 bytes, base64url); anything else never reaches the database. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Joining a video room: a short-lived Jitsi JWT for the room's counselor (moderator), an invited
 * client or a guest with the link (never moderators). Clients and guests confirm the current
 * consent version once (clients: once per version; guests: every time, they have no account),
 * and cannot join while the counselor is away (a running absence) or no longer active.
 */
@Injectable()
export class VideoJoinService {
  constructor(
    private readonly repo: VideoRepository,
    private readonly video: VideoConfig,
    private readonly consent: VideoConsentService,
    private readonly absences: AbsencesService,
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
    private readonly tx: Transactions,
    private readonly limits: RateLimitService,
  ) {}

  async join(auth: AuthContext, id: string, dto: JoinVideoRoomDto): Promise<VideoJoinResult> {
    this.video.require();
    const room = auth.role === 'counselor' || auth.role === 'client' ? await this.repo.findRoom(auth.centerId, id) : null;
    if (!room) throw errors.notFound(ROOM);
    if (auth.role === 'counselor') {
      if (room.counselorId !== auth.subjectId) throw errors.notFound(ROOM);
      const result = this.token(room, auth.displayName, true);
      await emitEvent(this.events, STAT_COUNTED, { centerId: auth.centerId, metric: 'video.sessions', at: this.clock.now() });
      return result;
    }
    if (!(await this.repo.isInvited(auth.centerId, room.id, auth.subjectId))) throw errors.notFound(ROOM);
    await this.requireHostAvailable(room);
    await this.tx.run(() => this.consent.requireConfirmed(auth.centerId, { accountId: auth.subjectId }, dto.consentVersion));
    return this.token(room, auth.displayName, false);
  }

  /** What the guest page shows before joining; NOT_FOUND for an unknown, renewed or removed link. */
  async invitation(token: string): Promise<VideoInviteView> {
    const { room, counselorName } = await this.invitedRoom(token);
    const center = await this.centers.byId(room.centerId);
    return { center: { slug: center.slug, name: center.name }, counselor: { displayName: counselorName }, consent: await this.consent.current(room.centerId) };
  }

  async joinAsGuest(token: string, dto: GuestJoinDto): Promise<VideoJoinResult> {
    const { room } = await this.invitedRoom(token);
    const name = stripBidiControls(dto.displayName.trim().normalize('NFKC'));
    if (!name || hasInvisible(name)) throw errors.validation('Please enter the name the others will see (1–80 visible characters).', ['displayName']);
    // guests are often colleagues of other services ("Erziehungsberatung X"): only a staff member's own name is refused
    const key = lookAlikeKey(name);
    if ((await this.accounts.staffDisplayNames(room.centerId)).some((n) => lookAlikeKey(n) === key)) {
      throw errors.validation('This name looks like the name of someone on the staff. Please choose another one.', ['displayName']);
    }
    await this.requireHostAvailable(room);
    await this.limits.consume('videoGuestJoins', this.limits.nameKey('video-room', room.id));
    await this.tx.run(() => this.consent.requireConfirmed(room.centerId, { roomId: room.id }, dto.consentVersion));
    return this.token(room, name, false);
  }

  private async invitedRoom(token: string): Promise<{ room: VideoRoom; counselorName: string }> {
    this.video.require();
    const room = TOKEN_RE.test(token) ? await this.repo.findByInviteHash(inviteHash(token)) : null;
    const counselorName = room ? await this.accounts.displayName(room.centerId, room.counselorId) : null;
    if (!room || !counselorName) throw errors.notFound(INVITE);
    return { room, counselorName };
  }

  /** The room cannot be used while its counselor is absent (the lobby has no host to admit anyone). */
  private async requireHostAvailable(room: VideoRoom): Promise<void> {
    const name = await this.accounts.displayName(room.centerId, room.counselorId);
    if (!name) throw errors.conflict('The counselor of this video room is not available.');
    const absence = await this.absences.activeFor(room.centerId, room.counselorId);
    if (absence) throw errors.conflict(`${name} is away until ${absence.until.toISOString()}; the video room opens again then.`);
  }

  private token(room: VideoRoom, name: string, moderator: boolean): VideoJoinResult {
    const jitsi = this.video.require();
    return { url: jitsiRoomUrl(jitsi, room.jitsiName), jwt: signJitsiToken(jitsi, { room: room.jitsiName, name, moderator, now: this.clock.now() }) };
  }
}
