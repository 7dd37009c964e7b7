import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ABSENCE_LIMITS, THREAD_LIMITS } from '../../../realtime/contract';

export class SetAbsenceDto {
  @ApiProperty({ example: '2026-12-20T08:00:00.000Z', description: 'ISO 8601; may lie in the past (away already)' })
  @IsISO8601({ strict: true })
  startsAt!: string;

  @ApiProperty({ example: '2027-01-06T08:00:00.000Z', description: 'ISO 8601, after startsAt and in the future' })
  @IsISO8601({ strict: true })
  endsAt!: string;

  @ApiProperty({ maxLength: ABSENCE_LIMITS.textMax, description: 'Shown to the clients of the counselor’s threads while the absence runs' })
  @IsString()
  @MaxLength(ABSENCE_LIMITS.textMax)
  text!: string;
}

export class CenterNoticeDto {
  @ApiProperty({ maxLength: THREAD_LIMITS.bodyMax, description: 'The center’s answer in the thread while its counselor is absent' })
  @IsString()
  @MaxLength(THREAD_LIMITS.bodyMax)
  body!: string;

  @ApiPropertyOptional({ maxLength: THREAD_LIMITS.clientPostIdMax, description: 'Idempotency key: the same one again returns the first notice' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(THREAD_LIMITS.clientPostIdMax)
  clientPostId?: string;
}
