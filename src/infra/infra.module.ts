import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { loadMasterKey, loadPreviousMasterKey, MASTER_KEY, MASTER_KEY_PREVIOUS } from './crypto/master-key';
import { MailService } from './mail/mail.service';
import { MetricsService } from './metrics/metrics.service';
import { AddressHasher } from './redis/address-hasher';
import { ClusterBus } from './redis/cluster-bus';
import { RateLimitService } from './redis/rate-limit.service';
import { RedisService } from './redis/redis.service';

/** Process-wide infrastructure: master key, Redis, node bus, limits, mail (needs CoreModule's config). */
@Global()
@Module({
  providers: [
    { provide: MASTER_KEY, inject: [APP_CONFIG], useFactory: (config: AppConfig) => loadMasterKey(config) },
    RedisService,
    ClusterBus,
    RateLimitService,
    MailService,
    { provide: MASTER_KEY_PREVIOUS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => loadPreviousMasterKey(config) },
    AddressHasher,
    MetricsService,
  ],
  exports: [MASTER_KEY, RedisService, ClusterBus, RateLimitService, MailService, MASTER_KEY_PREVIOUS, AddressHasher, MetricsService],
})
export class InfraModule {}
