import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CANNED_LIMITS } from '../../../realtime/contract';

export class CreateCannedResponseDto {
  @ApiProperty({ maxLength: CANNED_LIMITS.titleMax })
  @IsString()
  @MaxLength(CANNED_LIMITS.titleMax)
  title!: string;

  @ApiProperty({ maxLength: CANNED_LIMITS.bodyMax })
  @IsString()
  @MaxLength(CANNED_LIMITS.bodyMax)
  body!: string;
}

export class UpdateCannedResponseDto {
  @ApiPropertyOptional({ maxLength: CANNED_LIMITS.titleMax })
  @IsOptional()
  @IsString()
  @MaxLength(CANNED_LIMITS.titleMax)
  title?: string;

  @ApiPropertyOptional({ maxLength: CANNED_LIMITS.bodyMax })
  @IsOptional()
  @IsString()
  @MaxLength(CANNED_LIMITS.bodyMax)
  body?: string;
}
