import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { LIVE_HANDOVER_MODES, type LiveHandover } from '../center.entity';

/** An https URL, or a path on this site (not `//host` or `/\\host`, which browsers read as another site). */
export const QUICK_EXIT_URL_RE = /^(https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[^\s\\]*)?|\/(?![/\\])[^\s\\]*)$/;

export class OpeningHoursDto {
  @IsInt() @Min(0) @Max(6) day!: number;
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/) from!: string;
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/) to!: string;
}

export class CenterSettingsDto {
  @ApiPropertyOptional({ description: "The center's name (1–200 characters)" })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 500 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(500)
  liveWaitingLimit?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 240 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(240)
  liveMaxWaitMinutes?: number;

  @ApiPropertyOptional({ minimum: 5, maximum: 3600 })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(3600)
  shiftGraceSeconds?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  keepLiveTranscripts?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  transcriptRetentionDays?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  keepTopicTranscripts?: boolean;

  @ApiPropertyOptional({ type: [OpeningHoursDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OpeningHoursDto)
  openingHours?: OpeningHoursDto[];

  @ApiPropertyOptional({ example: 'Europe/Berlin' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;

  @ApiPropertyOptional({ description: 'Shown to visitors before the live chat starts' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  privacyText?: string;

  @ApiPropertyOptional({ description: 'Crisis lines shown by the widget when the chat is closed, full or ended (default: 112 and the TelefonSeelsorge)' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  emergencyText?: string;

  @ApiPropertyOptional({ description: 'Homepage origins allowed to embed the widget', type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, { each: true, message: 'each widget origin must be an origin like https://www.example.org' })
  widgetOrigins?: string[];

  @ApiPropertyOptional({
    enum: LIVE_HANDOVER_MODES,
    description:
      "When a counselor's connection stays gone beyond the shift grace: hand each running chat to another counselor on shift ('handover', default) or end it ('end')",
  })
  @IsOptional()
  @IsIn(LIVE_HANDOVER_MODES)
  liveHandover?: LiveHandover;

  @ApiPropertyOptional({ minimum: 1, maximum: 720, description: 'How long "end and block" keeps the visitor and their address (hash) out (hours, default 24)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(720)
  liveBlockHours?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 20, description: 'Visitors who may wait at once from one address (default 3)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  liveWaitingPerAddress?: number;

  @ApiPropertyOptional({ example: 'https://www.wikipedia.org/', description: "Where the widget's quick exit leads: an https URL or a path on this site" })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(QUICK_EXIT_URL_RE, { message: 'quickExitUrl must be an https URL or a path on this site such as /neutral' })
  quickExitUrl?: string;

  @ApiPropertyOptional({
    nullable: true,
    example: 'https://www.example.org/impressum',
    description: "The center's imprint: an https URL or a path on this site; null removes it",
  })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsString()
  @MaxLength(500)
  @Matches(QUICK_EXIT_URL_RE, { message: 'imprintUrl must be an https URL or a path on this site such as /impressum' })
  imprintUrl?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    example: 'https://www.example.org/datenschutz',
    description: "The center's privacy statement: an https URL or a path on this site; null removes it",
  })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsString()
  @MaxLength(500)
  @Matches(QUICK_EXIT_URL_RE, { message: 'privacyUrl must be an https URL or a path on this site such as /datenschutz' })
  privacyUrl?: string | null;

  @ApiPropertyOptional({ minimum: 65536, maximum: 104857600, description: 'The largest document (PDF) in a thread, in bytes (default 10485760 = 10 MiB)' })
  @IsOptional()
  @IsInt()
  @Min(64 * 1024)
  @Max(100 * 1024 * 1024)
  documentMaxBytes?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, description: "Documents one account may upload per day, in the center's time zone (default 20)" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  documentDailyQuota?: number;

  @ApiPropertyOptional({ minimum: 65536, maximum: 1073741824, description: 'Bytes one account may upload per day (default 52428800 = 50 MiB)' })
  @IsOptional()
  @IsInt()
  @Min(64 * 1024)
  @Max(1024 * 1024 * 1024)
  documentDailyBytes?: number;
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 3650,
    description: 'Days after its close that a closed thread is deleted with its posts, documents and notes (default 180)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  threadRetentionDays?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 365,
    description: 'Days after which a client who gave an email, never confirmed it and never used the account is deleted (default 7)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  unconfirmedRegistrationDays?: number;

  @ApiPropertyOptional({
    minimum: 7,
    maximum: 3650,
    description: 'Days without a login after which a client account that holds nothing (never wrote, in no thread) is deleted (default 90)',
  })
  @IsOptional()
  @IsInt()
  @Min(7)
  @Max(3650)
  unusedAccountDays?: number;
}
