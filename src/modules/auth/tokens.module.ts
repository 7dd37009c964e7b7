import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SOCKET_AUTHENTICATOR } from '../../realtime/socket-authenticator';
import { AuthGuard } from './auth.guard';
import { AuthToken } from './auth-token.entity';
import { TokensRepository } from './tokens.repository';
import { TokensService } from './tokens.service';

/** Token issue/resolve/revoke, the REST guard and the socket authenticator; depends on no feature module. */
@Module({
  imports: [TypeOrmModule.forFeature([AuthToken])],
  providers: [TokensService, TokensRepository, AuthGuard, { provide: SOCKET_AUTHENTICATOR, useExisting: TokensService }],
  exports: [TokensService, AuthGuard, SOCKET_AUTHENTICATOR],
})
export class TokensModule {}
