import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** A data key, wrapped (AES-256-GCM) by MASTER_KEY. scope = 'center' or 'account:<id>'. */
@Entity('data_keys')
@Index('uq_data_keys_scope', ['centerId', 'scope', 'version'], { unique: true })
export class DataKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'varchar', length: 60 })
  scope!: string;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @Column({ name: 'wrapped_key', type: 'text' })
  wrappedKey!: string;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
