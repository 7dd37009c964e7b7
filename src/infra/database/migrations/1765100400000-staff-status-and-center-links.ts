import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/**
 * Staff lifecycle and the center's legal links: `accounts.status` (`invited` until the invitation
 * is accepted, `active`, `deactivated`, `deleted`), when it was deactivated, the SHA-256 of a
 * pending invitation and its expiry; `centers.imprint_url` and `centers.privacy_url`.
 */
export class StaffStatusAndCenterLinks1765100400000 implements MigrationInterface {
  name = 'StaffStatusAndCenterLinks1765100400000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('accounts', [
      new TableColumn({ ...col.varchar('status', 16), default: "'active'" }),
      new TableColumn(col.date('deactivated_at', true)),
      new TableColumn(col.varchar('invitation_hash', 64, true)),
      new TableColumn(col.date('invitation_expires_at', true)),
    ]);
    await q.createIndex('accounts', new TableIndex({ name: 'ix_accounts_invitation_hash', columnNames: ['invitation_hash'] }));
    await q.addColumns('centers', [new TableColumn(col.varchar('imprint_url', 500, true)), new TableColumn(col.varchar('privacy_url', 500, true))]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumns('centers', ['imprint_url', 'privacy_url']);
    await q.dropIndex('accounts', 'ix_accounts_invitation_hash');
    await q.dropColumns('accounts', ['status', 'deactivated_at', 'invitation_hash', 'invitation_expires_at']);
  }
}
