import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { VIDEO_LIMITS } from '../../../realtime/contract';

export class VideoRoomNameDto {
  @ApiProperty({
    minLength: 1,
    maxLength: VIDEO_LIMITS.roomNameMax,
    example: 'Beratung Familie K.',
    description: 'Only the counselor and the invited clients see it (encrypted at rest)',
  })
  @IsString()
  @MaxLength(VIDEO_LIMITS.roomNameMax)
  name!: string;
}

export class InviteVideoClientDto {
  @ApiProperty({ format: 'uuid', description: 'A client of the counselor (ThreadsService.isClientOf); anyone else: NOT_FOUND' })
  @IsString()
  @MaxLength(64)
  clientId!: string;
}

export class JoinVideoRoomDto {
  @ApiPropertyOptional({ minimum: 1, description: 'Clients: the consent version they confirm now (needed once per version)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  consentVersion?: number;
}

export class GuestJoinDto {
  @ApiProperty({
    minLength: 1,
    maxLength: VIDEO_LIMITS.guestNameMax,
    example: 'Frau M., Jugendamt',
    description: 'The name the others see in the call (not stored)',
  })
  @IsString()
  @MaxLength(VIDEO_LIMITS.guestNameMax)
  displayName!: string;

  @ApiProperty({ minimum: 1, description: 'The consent version the guest confirms (the current one)' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  consentVersion!: number;
}

export class ConsentTextDto {
  @ApiProperty({ minLength: 1, maxLength: VIDEO_LIMITS.consentTextMax, description: 'The new consent text (a new version: everyone confirms again)' })
  @IsString()
  @MaxLength(VIDEO_LIMITS.consentTextMax)
  text!: string;
}
