import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { LIMITS } from '../../../realtime/contract';

export class ShiftOpenDto {
  @IsInt()
  @Min(LIMITS.maxChatsMin)
  @Max(LIMITS.maxChatsMax)
  maxChats!: number;
}

export class JoinQueueDto {
  /** The visitor's first message, shown to counselors on shift while waiting. */
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.messageBodyMax)
  message?: string;
}

export class LiveEndDto {
  @IsUUID()
  roomId!: string;

  @IsOptional()
  @IsBoolean()
  block?: boolean;
}

export class QueueRemoveDto {
  @IsUUID()
  visitorId!: string;

  @IsOptional()
  @IsBoolean()
  block?: boolean;
}

/** Commands without fields (`shift.close`, `queue.leave`). */
export class EmptyDto {}
