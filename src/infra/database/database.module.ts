import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { dataSourceOptions } from './data-source-options';
import { QueryErrorCounter } from './query-error-counter';
import { acquireSqliteLock } from './sqlite-lock';
import { TransactionsModule } from './transactions.module';

/** TypeORM on SQLite (embedded default) or MariaDB/MySQL; migrations run at start; `Transactions` for every module. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG, MetricsService],
      useFactory: (config: AppConfig, metrics: MetricsService) => ({
        ...dataSourceOptions(config),
        migrationsRun: true,
        retryAttempts: 3,
        retryDelay: 1000,
        logger: new QueryErrorCounter(metrics),
      }),
    }),
    TransactionsModule,
  ],
})
export class DatabaseModule implements OnApplicationShutdown {
  private readonly release: () => void;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.release = config.database.kind === 'sqlite' ? acquireSqliteLock(config.database.file) : () => undefined;
  }

  onApplicationShutdown(): void {
    this.release();
  }
}
