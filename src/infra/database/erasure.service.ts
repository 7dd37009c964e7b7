import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isMysql } from './columns';
import { Transactions } from './transactions';

/** How often an erasure tries its checkpoint while it is blocked (the checkpointer thread's own checkpoint, a reader), 20 ms apart: about 3 s. */
export const FLUSH_ATTEMPTS = 150;
const FLUSH_RETRY_PAUSE_MS = 20;

/**
 * After an erasure (an account, a room): on SQLite the deleted rows were overwritten in the pages
 * (`secure_delete`), and a TRUNCATE checkpoint copies those pages into the database file and empties
 * the -wal file, which still held the old page images. MariaDB keeps old row versions in its undo
 * and redo logs for a while whatever we do; there the destroyed keys are the guarantee.
 *
 * The checkpoint runs between two transactions on the app's one connection (inside another
 * operation's open transaction it cannot run), and it is tried again while it is blocked: the
 * checkpointer thread (sqlite-checkpointer.ts) holds SQLite's checkpoint lock during its own
 * PASSIVE checkpoint, and a checkpoint that finds the lock taken answers "busy" at once. Before,
 * one busy answer left the erased pages in the -wal file and their old images in the database file.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly tx: Transactions,
  ) {}

  async flushDeleted(): Promise<void> {
    if (isMysql(this.ds.options.type)) return;
    for (let attempt = 1; ; attempt++) {
      let busy: boolean;
      try {
        busy = await this.tx.between(async () => {
          const [row] = await this.ds.query<{ busy: number; log: number; checkpointed: number }[]>('PRAGMA wal_checkpoint(TRUNCATE)');
          return Boolean(row?.busy);
        });
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'the WAL checkpoint after an erasure failed');
        return;
      }
      if (!busy) return;
      if (attempt >= FLUSH_ATTEMPTS) {
        // the checkpointer thread's next checkpoint copies the overwritten pages into the database file; the -wal file's old frames stay until the WAL is reused or the next erasure truncates it
        this.logger.warn(`the WAL checkpoint after an erasure stayed blocked ${FLUSH_ATTEMPTS} times; the next checkpoint completes it`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, FLUSH_RETRY_PAUSE_MS));
    }
  }
}
