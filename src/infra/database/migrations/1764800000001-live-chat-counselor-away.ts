import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../migration-columns';

/** Since when the counselor of a running chat is gone while off shift (the chat sweep hands it over or ends it). */
export class LiveChatCounselorAway1764800000001 implements MigrationInterface {
  name = 'LiveChatCounselorAway1764800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('live_chats', new TableColumn(col.date('counselor_away_since', true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('live_chats', 'counselor_away_since');
  }
}
