import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDateString, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { LIMITS, type TopicJoinPayload, type TopicModeratePayload } from '../../../realtime/contract';

export class CreateTopicChatDto {
  @ApiProperty({ maxLength: 120 })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  title!: string;

  @ApiProperty({ maxLength: 2000 })
  @IsString()
  @MaxLength(2000)
  description!: string;

  @ApiProperty({ example: '2025-12-01T18:00:00Z' })
  @IsDateString({ strict: true })
  startsAt!: string;

  @ApiProperty({ example: '2025-12-01T19:30:00Z' })
  @IsDateString({ strict: true })
  endsAt!: string;

  @ApiProperty({ minimum: 1, maximum: 500 })
  @IsInt()
  @Min(1)
  @Max(500)
  capacity!: number;
}

export class UpdateTopicChatDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(120) title?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) startsAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) endsAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(500) capacity?: number;
}

export class TopicJoinDto implements TopicJoinPayload {
  @IsUUID()
  topicChatId!: string;

  @IsString()
  @MaxLength(LIMITS.nicknameMax)
  nickname!: string;
}

export class TopicModerateDto implements TopicModeratePayload {
  @IsUUID()
  roomId!: string;

  @IsUUID()
  participantId!: string;

  @IsOptional()
  @IsBoolean()
  muted?: boolean;
}
