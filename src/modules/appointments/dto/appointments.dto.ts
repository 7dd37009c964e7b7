import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { APPOINTMENT_FORMS, APPOINTMENT_LIMITS, type AppointmentForm } from '../../../realtime/contract';

export class CreateSlotsDto {
  @ApiProperty({ example: '2026-12-10T09:00:00.000Z', description: 'ISO 8601, in the future' })
  @IsISO8601({ strict: true })
  startsAt!: string;

  @ApiProperty({ example: '2026-12-10T10:00:00.000Z', description: `ISO 8601, after startsAt, at most ${APPOINTMENT_LIMITS.maxHours} h later` })
  @IsISO8601({ strict: true })
  endsAt!: string;

  @ApiProperty({ enum: APPOINTMENT_FORMS, isArray: true, example: ['video', 'phone'], description: 'One or more, no duplicates' })
  @IsArray()
  @ArrayMaxSize(APPOINTMENT_FORMS.length * 2)
  @IsString({ each: true })
  @MaxLength(16, { each: true })
  forms!: string[];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: APPOINTMENT_LIMITS.maxWeeks,
    default: 1,
    description: 'A weekly series of this many slots on the same local wall time in the center’s time zone',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(APPOINTMENT_LIMITS.maxWeeks)
  weeks?: number;
}

export class BookSlotDto {
  @ApiProperty({ enum: APPOINTMENT_FORMS, description: 'One of the slot’s forms' })
  @IsString()
  @MaxLength(16)
  form!: AppointmentForm;
}

export class FreeSlotsQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this counselor’s slots' })
  @IsOptional()
  @IsUUID()
  counselorId?: string;
}
