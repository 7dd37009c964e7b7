import type { Logger as TypeOrmLogger } from 'typeorm';
import type { MetricsService } from '../metrics/metrics.service';
import { isUniqueViolation } from './unique-violation';

/**
 * TypeORM's logger, used for one thing: counting failed queries for /metrics
 * (lotse_database_errors_total). A unique-index refusal is how the code detects a duplicate (a
 * resent message, a raced insert), not a fault: not counted. Logs nothing (queries carry data).
 */
export class QueryErrorCounter implements TypeOrmLogger {
  constructor(private readonly metrics: MetricsService) {}

  logQueryError(error: string | Error): void {
    if (typeof error !== 'string' && isUniqueViolation(error)) return;
    this.metrics.databaseErrors.inc();
  }

  logQuery(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
