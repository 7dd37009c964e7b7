import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Auth, AuthContext, Public } from '../../common/auth-context';
import { AuthService } from './auth.service';
import { ChangePasswordDto, ConfirmEmailDto, ConfirmPasswordResetDto, DeleteAccountDto, LoginDto, RegisterDto, RequestPasswordResetDto } from './dto/auth.dto';
import { PasswordResetService } from './password-reset.service';

/** The RATE_LIMITED answer of the limited routes (docs/errors.md). */
const RateLimited = () =>
  ApiTooManyRequestsResponse({
    description:
      '`{ error: { code: "RATE_LIMITED", message, retryAfterMs } }`: wait `retryAfterMs` milliseconds before trying again. Logins are limited per account and address, per account (more slowly) and per address.',
    headers: { 'Retry-After': { description: 'Seconds to wait (retryAfterMs rounded up).', schema: { type: 'integer' } } },
  });

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly resets: PasswordResetService,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @RateLimited()
  login(@Body() dto: LoginDto, @Req() req: Request) {
    return this.auth.login(dto, { ip: req.ip });
  }

  @Public()
  @Post('auth/register')
  @RateLimited()
  register(@Body() dto: RegisterDto, @Req() req: Request) {
    return this.auth.register(dto, { ip: req.ip });
  }

  @Public()
  @Post('centers/:center/visitors')
  @RateLimited()
  visitor(@Param('center') center: string, @Req() req: Request) {
    return this.auth.createVisitor(center, { ip: req.ip });
  }

  @Public()
  @Post('auth/confirm-email')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The contact address is confirmed.' })
  @ApiNotFoundResponse({ description: 'The link is used, expired (48 h) or unknown, or its account is no longer active: all alike.' })
  confirmEmail(@Body() dto: ConfirmEmailDto) {
    return this.auth.confirmEmail(dto);
  }

  @Public()
  @Post('auth/confirm-email/resend')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description:
      '`{}`, always. With a pending link of an active client (expired or not), a new link (valid 48 h) goes to the same address and the old one stops working; an unknown, used or confirmed link sends nothing.',
  })
  @RateLimited()
  resendConfirmation(@Body() dto: ConfirmEmailDto, @Req() req: Request) {
    return this.auth.resendConfirmation(dto, { ip: req.ip });
  }

  @Public()
  @Post('auth/password-reset')
  @HttpCode(202)
  @ApiAcceptedResponse({
    description:
      '`{}`, always: whether the account exists or has a confirmed email is never told. A link valid for one hour goes to a confirmed email of an active account only.',
  })
  @RateLimited()
  requestPasswordReset(@Body() dto: RequestPasswordResetDto, @Req() req: Request) {
    return this.resets.request(dto, { ip: req.ip });
  }

  @Public()
  @Post('auth/password-reset/confirm')
  @HttpCode(200)
  @ApiOkResponse({ description: '`{ token, account }`: the new password is set, every other session ended, and this is a new one.' })
  @ApiNotFoundResponse({ description: 'The link is used, expired or unknown, or its account is no longer active.' })
  @RateLimited()
  confirmPasswordReset(@Body() dto: ConfirmPasswordResetDto, @Req() req: Request) {
    return this.resets.confirm(dto, { ip: req.ip });
  }

  @Get('auth/me')
  @ApiBearerAuth()
  me(@Auth() auth: AuthContext) {
    return this.auth.me(auth);
  }

  @Post('auth/logout')
  @HttpCode(204)
  @ApiBearerAuth()
  logout(@Auth() auth: AuthContext) {
    return this.auth.logout(auth);
  }

  @Post('auth/password')
  @HttpCode(204)
  @ApiBearerAuth()
  changePassword(@Auth() auth: AuthContext, @Body() dto: ChangePasswordDto) {
    return this.auth.changePassword(auth, dto);
  }

  @Delete('accounts/me')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({
    description:
      "Deleted, every session ended. A client's account goes with everything only theirs; a staff account stays only as the name on what it wrote in the center's rooms (its login, canned responses and sessions go).",
  })
  @ApiForbiddenResponse({ description: 'The password is wrong; nothing is changed.' })
  @ApiConflictResponse({ description: "The caller is the center's last active admin; nothing is changed." })
  deleteMe(@Auth() auth: AuthContext, @Body() dto: DeleteAccountDto) {
    return this.auth.deleteOwnAccount(auth, dto);
  }
}
