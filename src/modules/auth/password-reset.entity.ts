import { Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** An outstanding password reset link: only the SHA-256 of its token is stored; usable once, for one hour. */
@Entity('password_resets')
@Index('ix_password_resets_account', ['accountId'])
@Index('ix_password_resets_expires', ['expiresAt'])
export class PasswordReset {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'account_id' })
  accountId!: string;

  @DateColumn({ name: 'expires_at' })
  expiresAt!: Date;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
