import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { ConnectionGateway } from './connection.gateway';
import { DrainService } from './drain.service';
import { LeanCommands } from './lean-commands';
import { RealtimePublisher } from './publisher';

/**
 * The socket server's lifecycle and the publisher every feature pushes through. The app module
 * passes the module that provides SOCKET_AUTHENTICATOR (the tokens module), so realtime/ imports
 * no feature module.
 */
@Global()
@Module({})
export class RealtimeModule {
  static forRoot(options: { authenticator: Type }): DynamicModule {
    return {
      module: RealtimeModule,
      imports: [options.authenticator],
      providers: [ConnectionGateway, RealtimePublisher, DrainService, LeanCommands],
      exports: [RealtimePublisher, DrainService, LeanCommands],
    };
  }
}
