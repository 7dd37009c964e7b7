import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/**
 * A data key, wrapped (AES-256-GCM) by MASTER_KEY. scope = 'center', 'account:<id>' (what is only
 * a client's), 'room:<id>' (a conversation's name), 'room:<id>:<subject id>' (what one member
 * wrote and was called in that conversation) or 'thread:<id>' (a group thread's subject and staff posts).
 */
@Entity('data_keys')
@Index('uq_data_keys_scope', ['centerId', 'scope', 'version'], { unique: true })
export class DataKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'varchar', length: 100 })
  scope!: string;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @Column({ name: 'wrapped_key', type: 'text' })
  wrappedKey!: string;

  /** masterKeyId() of the master key that wrapped it; null for keys wrapped before ids were kept. */
  @Column({ name: 'master_key_id', type: 'varchar', length: 16, nullable: true })
  masterKeyId!: string | null;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
