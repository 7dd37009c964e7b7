import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MailService } from '../infra/mail/mail.service';
import { ClusterBus } from '../infra/redis/cluster-bus';
import { RateLimitService } from '../infra/redis/rate-limit.service';
import { RedisService } from '../infra/redis/redis.service';
import { loadMasterKey, MASTER_KEY } from '../modules/crypto/master-key';
import { Clock, IdGenerator, RandomIdGenerator, SystemClock } from './clock';

export interface CoreOptions {
  config: AppConfig;
  clock?: Clock;
  ids?: IdGenerator;
}

/** Process-wide infrastructure: config, clock, ids, master key, Redis, node bus, limits, mail. */
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
        { provide: MASTER_KEY, useFactory: () => loadMasterKey(options.config) },
        RedisService,
        ClusterBus,
        RateLimitService,
        MailService,
      ],
      exports: [APP_CONFIG, Clock, IdGenerator, MASTER_KEY, RedisService, ClusterBus, RateLimitService, MailService],
    };
  }
}
