import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/**
 * A counselor's absence (one per counselor: setting a new one replaces it). While it runs, the
 * threads' mails to them go to the center's admins, the client sees the text, and the admin may
 * answer with a notice from the center. The text is encrypted with the counselor's own key.
 */
@Entity('absences')
@Index('uq_absences_counselor', ['counselorId'], { unique: true })
@Index('ix_absences_center_ends', ['centerId', 'endsAt'])
export class Absence {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'counselor_id' })
  counselorId!: string;

  @DateColumn({ name: 'starts_at' })
  startsAt!: Date;

  @DateColumn({ name: 'ends_at' })
  endsAt!: Date;

  @Column({ name: 'text_enc', type: 'text' })
  textEnc!: string;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
