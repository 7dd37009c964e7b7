import { Global, Module } from '@nestjs/common';
import { TokensModule } from '../modules/auth/tokens.module';
import { ConnectionGateway } from './connection.gateway';
import { RealtimePublisher } from './publisher';

/** The socket server's lifecycle and the publisher every feature pushes through. */
@Global()
@Module({
  imports: [TokensModule],
  providers: [ConnectionGateway, RealtimePublisher],
  exports: [RealtimePublisher],
})
export class RealtimeModule {}
