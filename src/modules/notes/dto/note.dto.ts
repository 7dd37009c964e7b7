import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { NOTE_LIMITS } from '../../../realtime/contract';

export class NoteBodyDto {
  @ApiProperty({ maxLength: NOTE_LIMITS.bodyMax })
  @IsString()
  @MaxLength(NOTE_LIMITS.bodyMax)
  body!: string;
}
