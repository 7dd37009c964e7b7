import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthGuard } from './auth.guard';
import { AuthToken } from './auth-token.entity';
import { TokensRepository } from './tokens.repository';
import { TokensService } from './tokens.service';

/** Token issue/resolve/revoke and the REST guard; depends on no feature module. */
@Module({
  imports: [TypeOrmModule.forFeature([AuthToken])],
  providers: [TokensService, TokensRepository, AuthGuard],
  exports: [TokensService, AuthGuard],
})
export class TokensModule {}
