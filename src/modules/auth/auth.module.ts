import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_GUARD } from '@nestjs/core';
import { AccountsModule } from '../accounts/accounts.module';
import { CentersModule } from '../centers/centers.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { PasswordReset } from './password-reset.entity';
import { PasswordResetService } from './password-reset.service';
import { PasswordResetsRepository } from './password-resets.repository';
import { TokensModule } from './tokens.module';

@Module({
  imports: [TypeOrmModule.forFeature([PasswordReset]), AccountsModule, CentersModule, TokensModule],
  controllers: [AuthController],
  // the one REST authorization path: every route authenticated unless @Public()
  providers: [AuthService, PasswordResetService, PasswordResetsRepository, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
