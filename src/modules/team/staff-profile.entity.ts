import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BoolColumn, DateColumn, UuidColumn } from '../../infra/database/columns';

/**
 * A staff member's team page and crisis-contact settings (issue 13), one row per account, made on
 * the first change. The text is encrypted with the center key (the center publishes it); the
 * switches are plain. Deleted with the account (retirement or deletion).
 */
@Entity('staff_profiles')
@Index('ix_staff_profiles_center', ['centerId'])
export class StaffProfile {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  /** The counselor's words on the team page (center key), null when there are none. */
  @Column({ name: 'team_text_enc', type: 'text', nullable: true })
  teamTextEnc!: string | null;

  /** The counselor's own choice to appear on the public team page. */
  @BoolColumn({ name: 'on_team_page', default: false })
  onTeamPage!: boolean;

  /** The admin's hide (illness, leave): wins over `onTeamPage`, keeps the counselor from crisis assignment too. */
  @BoolColumn({ name: 'team_hidden_by_admin', default: false })
  teamHiddenByAdmin!: boolean;

  /** New clients (registration, an enquiry without a counselor) go to the crisis contacts at once. */
  @BoolColumn({ name: 'crisis_contact', default: false })
  crisisContact!: boolean;

  @DateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}

/**
 * The counselor's picture: a JPEG re-encoded by sharp (at most 512 × 512, no metadata, at most 60
 * KiB so it fits one `blob` on MariaDB). Plain bytes: it exists to be published on the team page,
 * and it is nothing anyone typed. One row per account; deleted with the profile.
 */
@Entity('staff_pictures')
@Index('ix_staff_pictures_center', ['centerId'])
export class StaffPicture {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'blob' })
  data!: Buffer;

  @DateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
