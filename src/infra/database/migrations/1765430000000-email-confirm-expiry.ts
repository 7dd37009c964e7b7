import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { col } from '../migration-columns';

/** 48 h, as EMAIL_CONFIRM_TTL_MS (a migration keeps its own copy: it must not change later). */
const TTL_MS = 48 * 60 * 60 * 1000;

/**
 * `accounts.email_confirm_expires_at`: the double-opt-in link expires (48 h after it was sent).
 * Links pending at the migration had none: they get 48 h from now, so nobody's link in a mail
 * stops working the moment of the upgrade; after that, a new one is asked for on the page.
 */
export class EmailConfirmExpiry1765430000000 implements MigrationInterface {
  name = 'EmailConfirmExpiry1765430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('accounts', new TableColumn(col.date('email_confirm_expires_at', true)));
    // 'YYYY-MM-DD HH:MM:SS.mmm' in UTC: how both drivers store datetime(3) here (timezone 'Z');
    // a migration has no injected Clock: it runs once, at the upgrade, and "now" is that moment
    // eslint-disable-next-line no-restricted-syntax
    const expires = new Date(Date.now() + TTL_MS).toISOString().replace('T', ' ').replace('Z', '');
    await q.query('UPDATE accounts SET email_confirm_expires_at = ? WHERE email_confirm_hash IS NOT NULL', [expires]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('accounts', 'email_confirm_expires_at');
  }
}
