import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Auth, AuthContext, Public } from '../../common/auth-context';
import { AuthService } from './auth.service';
import { ChangePasswordDto, ConfirmEmailDto, DeleteAccountDto, LoginDto, RegisterDto } from './dto/auth.dto';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Req() req: Request) {
    return this.auth.login(dto, { ip: req.ip });
  }

  @Public()
  @Post('auth/register')
  register(@Body() dto: RegisterDto, @Req() req: Request) {
    return this.auth.register(dto, { ip: req.ip });
  }

  @Public()
  @Post('centers/:center/visitors')
  visitor(@Param('center') center: string, @Req() req: Request) {
    return this.auth.createVisitor(center, { ip: req.ip });
  }

  @Public()
  @Post('auth/confirm-email')
  @HttpCode(204)
  confirmEmail(@Body() dto: ConfirmEmailDto) {
    return this.auth.confirmEmail(dto);
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
  deleteMe(@Auth() auth: AuthContext, @Body() dto: DeleteAccountDto) {
    return this.auth.deleteOwnAccount(auth, dto);
  }
}
