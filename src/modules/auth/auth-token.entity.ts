import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';
import type { Role } from '../../realtime/contract';

/** Opaque bearer tokens: only their SHA-256 is stored. */
@Entity('auth_tokens')
@Index('ix_auth_tokens_subject', ['subjectId'])
@Index('ix_auth_tokens_expires', ['expiresAt'])
export class AuthToken {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  /** The account id, or the visitor id for anonymous visitors (no account row). */
  @UuidColumn({ name: 'subject_id' })
  subjectId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @DateColumn({ name: 'expires_at' })
  expiresAt!: Date;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
