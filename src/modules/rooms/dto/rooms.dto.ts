import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  isUUID,
  Length,
  length,
  Max,
  Min,
} from 'class-validator';
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

/**
 * The `message.send` payload as the validation pipe would hand it to the handler (body trimmed), when
 * SendMessageDto's checks pass it: exactly the own keys roomId, clientMsgId and body, the same
 * class-validator functions as its decorators. Null for anything else; that goes through the pipe
 * and gets its VALIDATION_FAILED (the lean dispatch, LeanCommands).
 */
export function leanSendPayload(value: unknown): MessageSendPayload | null {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return null;
  const v = value as Record<string, unknown>;
  if (Object.keys(v).length !== 3 || !Object.hasOwn(v, 'roomId') || !Object.hasOwn(v, 'clientMsgId') || !Object.hasOwn(v, 'body')) return null;
  const { roomId, clientMsgId, body } = v;
  if (typeof roomId !== 'string' || !isUUID(roomId, 'all')) return null;
  if (typeof clientMsgId !== 'string' || !length(clientMsgId, 1, LIMITS.clientMsgIdMax)) return null;
  if (typeof body !== 'string') return null;
  const trimmed = body.trim();
  if (!length(trimmed, 1, LIMITS.messageBodyMax)) return null;
  return { roomId, clientMsgId, body: trimmed };
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
