import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import type { StatsGrouping } from '../../../realtime/contract';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export class StatsQueryDto {
  @ApiPropertyOptional({ example: '2026-09-01', description: 'First day (YYYY-MM-DD, the center’s local day); default: 12 weeks before `to`' })
  @IsOptional()
  @IsString()
  @Matches(DAY)
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Last day, inclusive (YYYY-MM-DD); at most 400 days after `from`; default: today' })
  @IsOptional()
  @IsString()
  @Matches(DAY)
  to?: string;

  @ApiPropertyOptional({ enum: ['day', 'week'], default: 'day', description: 'One row per day, or per ISO week (Monday to Sunday)' })
  @IsOptional()
  @IsIn(['day', 'week'])
  by?: StatsGrouping;
}
