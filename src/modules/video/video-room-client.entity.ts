import { Entity, Index, PrimaryColumn } from 'typeorm';
import { DateColumn, UuidColumn } from '../../infra/database/columns';

/** A client invited to a video room (ids and a time only). */
@Entity('video_room_clients')
@Index('uq_video_room_clients_room_client', ['roomId', 'clientId'], { unique: true })
@Index('ix_video_room_clients_client', ['centerId', 'clientId'])
export class VideoRoomClient {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  @UuidColumn({ name: 'room_id' })
  roomId!: string;

  @UuidColumn({ name: 'client_id' })
  clientId!: string;

  @DateColumn({ name: 'invited_at' })
  invitedAt!: Date;
}
