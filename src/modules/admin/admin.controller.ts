import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { Auth, AuthContext, Public } from '../../common/auth-context';
import { AcceptInvitationDto, CreateStaffDto } from './dto/staff.dto';
import { InactiveClientsService } from './inactive-clients.service';
import { StaffService } from './staff.service';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/centers/:center')
export class AdminController {
  constructor(
    private readonly staff: StaffService,
    private readonly clients: InactiveClientsService,
  ) {}

  /** The center's staff with their status (admin). */
  @Get('staff')
  listStaff(@Auth() auth: AuthContext) {
    return this.staff.list(auth);
  }

  /** Invites a counselor or admin by mail (`{ id, invitationSent: true }`), or with MAIL=off creates them with a generated password shown once (`{ id, password }`). */
  @Post('staff')
  createStaff(@Auth() auth: AuthContext, @Body() dto: CreateStaffDto) {
    return this.staff.create(auth, dto);
  }

  /** Ends every session of the account at once (on every node); login then fails like a wrong password. */
  @Post('staff/:id/deactivate')
  @HttpCode(200)
  deactivate(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.staff.deactivate(auth, id);
  }

  @Post('staff/:id/reactivate')
  @HttpCode(200)
  reactivate(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.staff.reactivate(auth, id);
  }

  @Delete('staff/:id')
  @HttpCode(204)
  removeStaff(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.staff.remove(auth, id);
  }

  /** Clients who never confirmed the email they gave or never wrote (admin). */
  @Get('clients/inactive')
  inactiveClients(@Auth() auth: AuthContext) {
    return this.clients.list(auth);
  }

  /** Deletes a client and everything of theirs (as self-deletion does). */
  @Delete('clients/:id')
  @HttpCode(204)
  removeClient(@Auth() auth: AuthContext, @Param('id') id: string) {
    return this.clients.remove(auth, id);
  }
}

@ApiTags('auth')
@Controller('api/auth')
export class InvitationController {
  constructor(private readonly staff: StaffService) {}

  /** Sets the password of an invited staff member from the link's token and signs them in (`LoginResult`). */
  @Public()
  @Post('invitation')
  @HttpCode(200)
  @ApiTooManyRequestsResponse({
    description: '`{ error: { code: "RATE_LIMITED", message, retryAfterMs } }`: counted like login attempts per address.',
    headers: { 'Retry-After': { description: 'Seconds to wait (retryAfterMs rounded up).', schema: { type: 'integer' } } },
  })
  accept(@Body() dto: AcceptInvitationDto, @Req() req: Request) {
    return this.staff.acceptInvitation(dto, { ip: req.ip });
  }
}
