import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength, ValidateIf } from 'class-validator';
import { TEAM_LIMITS } from '../../../realtime/contract';

/** Optional, but never null (null is no value to store: the field is refused). */
const Optional = () => ValidateIf((_, v) => v !== undefined);

/** `PATCH /api/accounts/me`: every field optional; all are checked before anything is written. */
export class UpdateMeDto {
  @ApiPropertyOptional({ maxLength: TEAM_LIMITS.displayNameMax, description: 'The name clients and colleagues see (1–120 characters)' })
  @Optional()
  @IsString()
  @MaxLength(TEAM_LIMITS.displayNameMax)
  displayName?: string;

  @ApiPropertyOptional({ maxLength: TEAM_LIMITS.textMax, description: 'Counselors: the text on the public team page (encrypted at rest); "" removes it' })
  @Optional()
  @IsString()
  @MaxLength(TEAM_LIMITS.textMax)
  teamText?: string;

  @ApiPropertyOptional({ description: 'Counselors: appear on the public team page' })
  @Optional()
  @IsBoolean()
  onTeamPage?: boolean;

  @ApiPropertyOptional({ description: 'Counselors: take new clients at once as a crisis contact' })
  @Optional()
  @IsBoolean()
  crisisContact?: boolean;
}

/** `POST /api/admin/staff/:id/team-visibility`. */
export class TeamVisibilityDto {
  @ApiProperty({ description: 'true: the counselor is hidden from the team page (and from crisis assignment) whatever they chose' })
  @IsBoolean()
  hidden!: boolean;
}
