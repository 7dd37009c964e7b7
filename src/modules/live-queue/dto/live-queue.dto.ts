import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { LIMITS, type LiveEndPayload, type QueueJoinPayload, type QueueRemovePayload, type ShiftOpenPayload } from '../../../realtime/contract';

export class ShiftOpenDto implements ShiftOpenPayload {
  @IsInt()
  @Min(LIMITS.maxChatsMin)
  @Max(LIMITS.maxChatsMax)
  maxChats!: number;
}

export class JoinQueueDto implements QueueJoinPayload {
  /** The visitor's first message, shown to counselors on shift while waiting. */
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.messageBodyMax)
  message?: string;
}

export class LiveEndDto implements LiveEndPayload {
  @IsUUID()
  roomId!: string;

  @IsOptional()
  @IsBoolean()
  block?: boolean;
}

export class QueueRemoveDto implements QueueRemovePayload {
  @IsUUID()
  visitorId!: string;

  @IsOptional()
  @IsBoolean()
  block?: boolean;
}

/** Commands without fields (`shift.close`, `queue.leave`). */
export class EmptyDto {}
