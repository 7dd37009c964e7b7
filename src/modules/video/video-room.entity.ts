import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/**
 * A counselor's video room on the configured Jitsi. The name is encrypted with the counselor's
 * own key (gone with their account); `jitsiName` is 32 random base32 characters (160 bits), the
 * room's name on the Jitsi server, never derived from anything. The guest link's token is stored
 * twice: as its SHA-256 (the lookup) and encrypted with the counselor's key (so the counselor can
 * copy the link again); renewing or removing the link replaces or clears both.
 */
@Entity('video_rooms')
@Index('ix_video_rooms_counselor', ['centerId', 'counselorId', 'createdAt'])
@Index('uq_video_rooms_jitsi_name', ['jitsiName'], { unique: true })
@Index('uq_video_rooms_invite_hash', ['inviteHash'], { unique: true })
export class VideoRoom {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'counselor_id' })
  counselorId!: string;

  @Column({ name: 'name_enc', type: 'text' })
  nameEnc!: string;

  @Column({ name: 'jitsi_name', type: 'varchar', length: 32 })
  jitsiName!: string;

  @Column({ name: 'invite_hash', type: 'varchar', length: 64, nullable: true })
  inviteHash!: string | null;

  @Column({ name: 'invite_enc', type: 'text', nullable: true })
  inviteEnc!: string | null;

  @DateColumn({ name: 'created_at' })
  createdAt!: Date;
}
