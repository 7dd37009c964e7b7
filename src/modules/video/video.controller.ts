import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthContext, Public } from '../../common/auth-context';
import { ConsentTextDto, GuestJoinDto, InviteVideoClientDto, JoinVideoRoomDto, VideoRoomNameDto } from './dto/video.dto';
import { VideoConsentService } from './video-consent.service';
import { VideoJoinService } from './video-join.service';
import { VideoRoomsService } from './video-rooms.service';

const NOT_CONFIGURED = { status: 503, description: 'VIDEO_NOT_CONFIGURED: JITSI_DOMAIN, JITSI_APP_ID, JITSI_APP_SECRET are unset' };

/** A counselor's video rooms on the center's Jitsi (docs/portal/video.md). Anyone but the room's counselor: NOT_FOUND. */
@ApiTags('video')
@ApiBearerAuth()
@ApiResponse(NOT_CONFIGURED)
@Controller('api/video-rooms')
export class VideoRoomsController {
  constructor(
    private readonly rooms: VideoRoomsService,
    private readonly joins: VideoJoinService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Counselor: a new room `{ name }` → `201 { id, name, inviteUrl }` (the guest token in the URL fragment)' })
  create(@Auth() auth: AuthContext, @Body() dto: VideoRoomNameDto) {
    return this.rooms.create(auth, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Counselor: own rooms `[{ id, name, inviteUrl, clients, createdAt }]`; client: invited rooms `[{ id, name, counselor }]`' })
  list(@Auth() auth: AuthContext) {
    return this.rooms.list(auth);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Counselor: rename `{ name }` → the room' })
  rename(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: VideoRoomNameDto) {
    return this.rooms.rename(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Counselor: delete the room (its guest link, invitations and notes go with it)' })
  remove(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.rooms.remove(auth, id);
  }

  @Post(':id/invite-link')
  @HttpCode(200)
  @ApiOperation({ summary: 'Counselor: a new guest link `{ inviteUrl }`; the old one dies' })
  renewInvite(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.rooms.renewInvite(auth, id);
  }

  @Delete(':id/invite-link')
  @HttpCode(204)
  @ApiOperation({ summary: 'Counselor: no guest link any more' })
  removeInvite(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.rooms.removeInvite(auth, id);
  }

  @Post(':id/clients')
  @HttpCode(204)
  @ApiOperation({ summary: 'Counselor: invite a client of theirs `{ clientId }` (anyone else: NOT_FOUND)' })
  addClient(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: InviteVideoClientDto) {
    return this.rooms.addClient(auth, id, dto);
  }

  @Delete(':id/clients/:clientId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Counselor: take a client’s invitation back' })
  removeClient(@Auth() auth: AuthContext, @Param('id') id: string, @Param('clientId') clientId: string) {
    return this.rooms.removeClient(auth, id, clientId);
  }

  @Post(':id/join')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The room’s counselor (moderator) or an invited client `{ consentVersion? }` → `{ url, jwt }` (open `${url}?jwt=${jwt}`)',
    description: 'Clients: VALIDATION_FAILED `consentVersion` until they confirmed the current consent version; CONFLICT while the counselor is away.',
  })
  join(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: JoinVideoRoomDto) {
    return this.joins.join(auth, id, dto);
  }
}

/** Guests with the link (no account): the token is the only key, so it never appears in a log line. */
@ApiTags('video')
@ApiResponse(NOT_CONFIGURED)
@Public()
@Controller('api/video-invites')
export class VideoInvitesController {
  constructor(private readonly joins: VideoJoinService) {}

  @Get(':token')
  @ApiOperation({ summary: 'Public: what the guest page shows `{ center, counselor, consent }`; unknown, renewed or removed link: NOT_FOUND' })
  show(@Param('token') token: string) {
    return this.joins.invitation(token);
  }

  @Post(':token/join')
  @HttpCode(200)
  @ApiOperation({ summary: 'Public: a guest `{ displayName, consentVersion }` → `{ url, jwt }` (never moderator)' })
  join(@Param('token') token: string, @Body() dto: GuestJoinDto) {
    return this.joins.joinAsGuest(token, dto);
  }
}

/** The center's consent text for video sessions, by version. */
@ApiTags('video')
@ApiResponse(NOT_CONFIGURED)
@Controller('api')
export class VideoConsentController {
  constructor(private readonly consent: VideoConsentService) {}

  @Public()
  @Get('centers/:center/video-consent')
  @ApiOperation({ summary: 'Public: the current consent text `{ version, text }` (a built-in German text as version 1 until the center sets one)' })
  current(@Param('center') slug: string) {
    return this.consent.forCenter(slug);
  }

  @Put('admin/video-consent')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Admin: a new consent text `{ text }` → `{ version }` (everyone confirms the new version again)' })
  set(@Auth() auth: AuthContext, @Body() dto: ConsentTextDto) {
    return this.consent.setText(auth, dto);
  }
}
