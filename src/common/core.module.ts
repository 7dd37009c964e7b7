import { DynamicModule, Global, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Clock, IdGenerator, RandomIdGenerator, SystemClock } from './clock';

export interface CoreOptions {
  config: AppConfig;
  clock?: Clock;
  ids?: IdGenerator;
  /** Where the logs go instead of stdout (tests: a file in the data dir that the erasure scan reads). */
  logStream?: DestinationStream;
}

/** Process-wide basics every layer may inject: config, clock, ids. Infrastructure is InfraModule. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: IdGenerator, useValue: options.ids ?? new RandomIdGenerator() },
      ],
      exports: [APP_CONFIG, Clock, IdGenerator],
    };
  }
}
