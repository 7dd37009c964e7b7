import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/**
 * Topic-chat nicknames no longer in plain text: `nickname_enc` (center key) and `nickname_hash`
 * (HMAC of the look-alike skeleton, unique per chat) replace `nickname` and `nickname_key`. The
 * migration holds no key, so the plain nicknames of existing participants are dropped, not
 * encrypted: such a participant keeps the name shown in the room and rejoins under it.
 * `down()` brings the plain columns back empty of names (a placeholder per row).
 */
export class TopicNicknamesEncrypted1765000100000 implements MigrationInterface {
  name = 'TopicNicknamesEncrypted1765000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('topic_participants', new TableColumn(col.text('nickname_enc', true)));
    await q.addColumn('topic_participants', new TableColumn(col.varchar('nickname_hash', 64, true)));
    await q.dropIndex('topic_participants', 'uq_topic_participants_nick');
    await q.dropColumn('topic_participants', 'nickname_key');
    await q.dropColumn('topic_participants', 'nickname');
    await q.createIndex(
      'topic_participants',
      new TableIndex({ name: 'uq_topic_participants_nick_hash', columnNames: ['topic_chat_id', 'nickname_hash'], isUnique: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('topic_participants', 'uq_topic_participants_nick_hash');
    await q.addColumn('topic_participants', new TableColumn({ ...col.varchar('nickname', 40), default: "''" }));
    await q.addColumn('topic_participants', new TableColumn({ ...col.varchar('nickname_key', 160), default: "''" }));
    // one distinct placeholder per row, so the old unique index can come back
    await q.query('UPDATE topic_participants SET nickname = ?, nickname_key = id', ['Gast']);
    await q.dropColumn('topic_participants', 'nickname_hash');
    await q.dropColumn('topic_participants', 'nickname_enc');
    await q.createIndex(
      'topic_participants',
      new TableIndex({ name: 'uq_topic_participants_nick', columnNames: ['topic_chat_id', 'nickname_key'], isUnique: true }),
    );
  }
}
