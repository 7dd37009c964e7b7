import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountsModule } from '../accounts/accounts.module';
import { CentersModule } from '../centers/centers.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { TokensModule } from './tokens.module';

@Module({
  imports: [AccountsModule, CentersModule, TokensModule],
  controllers: [AuthController],
  // the one REST authorization path: every route authenticated unless @Public()
  providers: [AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
