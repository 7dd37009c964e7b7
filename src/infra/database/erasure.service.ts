import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isMysql } from './columns';

/**
 * After an erasure (an account, a room): on SQLite the deleted rows were overwritten in the pages
 * (`secure_delete`), and a TRUNCATE checkpoint copies those pages into the database file and empties
 * the -wal file, which still held the old page images. MariaDB keeps old row versions in its undo
 * and redo logs for a while whatever we do; there the destroyed keys are the guarantee.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(private readonly ds: DataSource) {}

  async flushDeleted(): Promise<void> {
    if (isMysql(this.ds.options.type)) return;
    try {
      const [row] = await this.ds.query<{ busy: number; log: number; checkpointed: number }[]>('PRAGMA wal_checkpoint(TRUNCATE)');
      // busy = 1: a reader held an old snapshot; the next checkpoint (SQLite's automatic ones included) completes it.
      if (row?.busy) this.logger.warn('the WAL checkpoint after an erasure was blocked by a reader; it completes at the next checkpoint');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'the WAL checkpoint after an erasure failed');
    }
  }
}
