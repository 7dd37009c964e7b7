import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import {
  LIMITS,
  type MessageSendPayload,
  type RoomCreatePayload,
  type RoomHistoryPayload,
  type RoomReadPayload,
  type RoomRef,
  type TypingPayload,
} from '../../../realtime/contract';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** The most members a counselor can put into one group room. */
export const MAX_ROOM_MEMBERS = 100;

export class CreateRoomDto implements RoomCreatePayload {
  @ApiProperty({ maxLength: LIMITS.roomNameMax })
  @Transform(trim)
  @IsString()
  @Length(1, LIMITS.roomNameMax)
  name!: string;

  @ApiProperty({ description: 'Client account ids of the caller’s center; one = a 1:1 room, several = a group', type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROOM_MEMBERS)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  memberIds!: string[];

  @ApiPropertyOptional({ description: 'ISO 8601; members may write only from then on' })
  @IsOptional()
  @IsISO8601({ strict: true })
  startsAt?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; members may write only until then' })
  @IsOptional()
  @IsISO8601({ strict: true })
  endsAt?: string;
}

export class RoomRefDto implements RoomRef {
  @IsUUID('all')
  roomId!: string;
}

export class SendMessageDto implements MessageSendPayload {
  @IsUUID('all')
  roomId!: string;

  @IsString()
  @Length(1, LIMITS.clientMsgIdMax)
  clientMsgId!: string;

  @Transform(trim)
  @IsString()
  @Length(1, LIMITS.messageBodyMax)
  body!: string;
}

export class HistoryDto implements RoomHistoryPayload {
  @IsUUID('all')
  roomId!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  afterSeq?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  beforeSeq?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(LIMITS.historyPageMax)
  limit?: number;
}

export class ReadMarkerDto implements RoomReadPayload {
  @IsUUID('all')
  roomId!: string;

  @IsInt()
  @Min(0)
  seq!: number;
}

export class TypingDto implements TypingPayload {
  @IsUUID('all')
  roomId!: string;

  @IsBoolean()
  typing!: boolean;
}
