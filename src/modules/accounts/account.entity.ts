import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

export type AccountRole = 'admin' | 'counselor' | 'client';
/** `invited`: no password set yet (cannot log in); `deleted`: a removed staff account kept as a name for the rooms' history. */
export type AccountStatus = 'invited' | 'active' | 'deactivated' | 'deleted';

@Entity('accounts')
@Index('uq_accounts_center_login', ['centerId', 'login'], { unique: true })
@Index('uq_accounts_center_name_key', ['centerId', 'nameKey'], { unique: true })
@Index('ix_accounts_invitation_hash', ['invitationHash'])
export class Account {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: AccountRole;

  /**
   * The normal form (normalizeLogin: NFKC + case folding) of the email for staff, of the pseudonym
   * for clients. Compared byte for byte: binary collation on MariaDB (migration 1765000000000).
   */
  @Column({ type: 'varchar', length: 254 })
  login!: string;

  /**
   * A client's pseudonym as look-alike key (lookAlikeKey: UTS #39 skeleton, separators dropped):
   * unique per center, so "аnna" (Cyrillic а) cannot register beside "anna". Null for staff.
   */
  @Column({ name: 'name_key', type: 'varchar', length: 160, nullable: true })
  nameKey!: string | null;

  @Column({ name: 'display_name', type: 'varchar', length: 120 })
  displayName!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 100 })
  passwordHash!: string;

  /** A client's optional contact email, encrypted with the client's own key. */
  @Column({ name: 'email_enc', type: 'text', nullable: true })
  emailEnc!: string | null;

  @DateColumn({ name: 'email_confirmed_at', nullable: true })
  emailConfirmedAt!: Date | null;

  /** SHA-256 of the pending double-opt-in token. */
  @Column({ name: 'email_confirm_hash', type: 'varchar', length: 64, nullable: true })
  emailConfirmHash!: string | null;

  /** When the pending double-opt-in link stops working (EMAIL_CONFIRM_TTL_MS after it was sent). */
  @DateColumn({ name: 'email_confirm_expires_at', nullable: true })
  emailConfirmExpiresAt!: Date | null;

  /** Only `active` accounts log in and hold sessions. */
  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: AccountStatus;

  @DateColumn({ name: 'deactivated_at', nullable: true })
  deactivatedAt!: Date | null;

  /** SHA-256 of a pending staff invitation token (usable once, until `invitationExpiresAt`). */
  @Column({ name: 'invitation_hash', type: 'varchar', length: 64, nullable: true })
  invitationHash!: string | null;

  @DateColumn({ name: 'invitation_expires_at', nullable: true })
  invitationExpiresAt!: Date | null;

  /** The last successful login (registration counts as the first): unused accounts expire from it. */
  @DateColumn({ name: 'last_login_at', nullable: true })
  lastLoginAt!: Date | null;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
