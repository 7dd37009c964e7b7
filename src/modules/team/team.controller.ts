import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, AuthContext, Public } from '../../common/auth-context';
import { multipartReader } from '../documents/multipart-upload';
import { CrisisContactsService } from './crisis-contacts.service';
import { TeamVisibilityDto, UpdateMeDto } from './dto/team.dto';
import { TeamService } from './team.service';

/** The one multipart route of the team page (app.ts lets its body through the JSON-only gate). */
export const acceptsPictureUpload = (method: string, path: string): boolean => method === 'PUT' && /^\/api\/accounts\/me\/picture\/?$/.test(path);

const jpeg = (bytes: Buffer) => new StreamableFile(bytes, { type: 'image/jpeg', length: bytes.length });

/** The caller's own profile (staff) and counselor (clients). */
@ApiTags('team')
@ApiBearerAuth()
@Controller('api/accounts/me')
export class MyProfileController {
  constructor(
    private readonly team: TeamService,
    private readonly crisis: CrisisContactsService,
  ) {}

  @Get('profile')
  @ApiOperation({ summary: 'The caller’s team page and crisis-contact settings (staff)' })
  @ApiOkResponse({ description: '`{ displayName, role, teamText, onTeamPage, crisisContact, teamHidden, shown, pictureUrl }`' })
  profile(@Auth() auth: AuthContext) {
    return this.team.profile(auth);
  }

  @Patch()
  @ApiOperation({ summary: 'Change the caller’s display name, team text, team page and crisis-contact switches (staff)' })
  @ApiOkResponse({ description: '`{}`. VALIDATION_FAILED (nothing written); FORBIDDEN for clients, and for admins sending more than displayName.' })
  update(@Auth() auth: AuthContext, @Body() dto: UpdateMeDto) {
    return this.team.update(auth, dto);
  }

  @Put('picture')
  @ApiOperation({ summary: 'Set the caller’s team picture (counselors): PNG or JPEG, re-encoded to a JPEG of at most 512 px without metadata' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'A PNG or JPEG, at most 5 MB' } } },
  })
  @ApiOkResponse({ description: '`{ pictureUrl }`' })
  @ApiUnsupportedMediaTypeResponse({ description: 'UNSUPPORTED_MEDIA_TYPE: not a PNG or JPEG by its bytes (SVG, scripts, polyglots, broken images)' })
  @ApiPayloadTooLargeResponse({ description: 'PAYLOAD_TOO_LARGE: more than 5 MB' })
  setPicture(@Auth() auth: AuthContext, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.team.setPicture(auth, multipartReader(req, res));
  }

  @Get('picture')
  @ApiOperation({ summary: 'The caller’s own picture (counselors), shown or not' })
  @ApiProduces('image/jpeg')
  @ApiNotFoundResponse({ description: 'No picture' })
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Security-Policy', "default-src 'none'; sandbox")
  async ownPicture(@Auth() auth: AuthContext): Promise<StreamableFile> {
    return jpeg(await this.team.ownPicture(auth));
  }

  @Delete('picture')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the caller’s picture (counselors)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'There was none' })
  deletePicture(@Auth() auth: AuthContext) {
    return this.team.deletePicture(auth);
  }

  @Get('counselor')
  @ApiOperation({ summary: 'The client’s own counselor (set by a crisis contact, a booking or the admin)' })
  @ApiOkResponse({ description: '`{ counselor: { id, displayName } | null }`' })
  @ApiForbiddenResponse({ description: 'Not a client' })
  counselor(@Auth() auth: AuthContext) {
    return this.crisis.mine(auth);
  }
}

/** The public team page's data: the counselors who chose to appear. */
@ApiTags('team')
@Public()
@Controller('api/centers/:center/team')
export class PublicTeamController {
  constructor(private readonly team: TeamService) {}

  @Get()
  @ApiOperation({ summary: 'The center’s team page (public): active counselors who chose to appear and are not hidden' })
  @ApiOkResponse({ description: '`[{ id, displayName, text, pictureUrl | null }]`, by name' })
  list(@Param('center') center: string) {
    return this.team.team(center);
  }

  @Get(':id/picture')
  @ApiOperation({ summary: 'A shown counselor’s picture (public)' })
  @ApiProduces('image/jpeg')
  @ApiNotFoundResponse({ description: 'No picture, or the counselor is not on the team page' })
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Security-Policy', "default-src 'none'; sandbox")
  @Header('Cross-Origin-Resource-Policy', 'cross-origin')
  async picture(@Param('center') center: string, @Param('id') id: string): Promise<StreamableFile> {
    return jpeg(await this.team.publicPicture(center, id));
  }
}

/** The admin hides a counselor from the team page (illness, leave). */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin/staff')
export class TeamAdminController {
  constructor(private readonly team: TeamService) {}

  @Post(':id/team-visibility')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hide a counselor from the team page and crisis assignment, or show them again (admin)' })
  @ApiOkResponse({ description: '`{}`' })
  @ApiNotFoundResponse({ description: 'No counselor of this center' })
  setVisibility(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: TeamVisibilityDto) {
    return this.team.setVisibility(auth, id, dto.hidden);
  }
}
