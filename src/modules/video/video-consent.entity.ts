import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/**
 * One version of a center's consent text for video sessions (encrypted with the center key). A
 * center that never set one uses the built-in German text as version 1; every change adds a row
 * with the next version, so what a person confirmed stays identifiable.
 */
@Entity('video_consents')
@Index('uq_video_consents_version', ['centerId', 'version'], { unique: true })
export class VideoConsent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'text_enc', type: 'text' })
  textEnc!: string;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}

/**
 * Who confirmed which version of the consent text when, no more: a client's row names the
 * account; a guest's names the room (never the guest, who has no account).
 */
@Entity('video_consent_confirmations')
@Index('ix_video_consent_confirmations_account', ['centerId', 'accountId', 'version'])
@Index('ix_video_consent_confirmations_room', ['centerId', 'roomId'])
export class VideoConsentConfirmation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @UuidColumn({ name: 'account_id', nullable: true })
  accountId!: string | null;

  @UuidColumn({ name: 'room_id', nullable: true })
  roomId!: string | null;

  @DateColumn({ name: 'confirmed_at' })
  confirmedAt!: Date;
}
