import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CentersModule } from '../centers/centers.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { TokensModule } from './tokens.module';

@Module({
  imports: [AccountsModule, CentersModule, TokensModule],
  controllers: [AuthController],
  providers: [AuthService],
  exports: [AuthService],
})
export class AuthModule {}
