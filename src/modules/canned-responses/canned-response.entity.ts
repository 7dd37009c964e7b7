import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** A counselor's own canned response; title and body are encrypted with the counselor's own key. */
@Entity('canned_responses')
@Index('ix_canned_responses_owner', ['centerId', 'ownerId', 'createdAt'])
export class CannedResponse {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  /** The staff account the response belongs to (only they ever read it). */
  @UuidColumn({ name: 'owner_id' })
  ownerId!: string;

  @Column({ name: 'title_enc', type: 'text' })
  titleEnc!: string;

  @Column({ name: 'body_enc', type: 'text' })
  bodyEnc!: string;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;

  @DateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
