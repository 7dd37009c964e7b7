import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SOCKET_AUTHENTICATOR } from '../../realtime/socket-authenticator';
import { AuthToken } from './auth-token.entity';
import { TokensRepository } from './tokens.repository';
import { TokensService } from './tokens.service';

/** Token issue/resolve/revoke and the socket authenticator; depends on no feature module. */
@Module({
  imports: [TypeOrmModule.forFeature([AuthToken])],
  providers: [TokensService, TokensRepository, { provide: SOCKET_AUTHENTICATOR, useExisting: TokensService }],
  exports: [TokensService, SOCKET_AUTHENTICATOR],
})
export class TokensModule {}
