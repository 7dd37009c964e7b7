import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { THREAD_LIMITS } from '../../../realtime/contract';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);
/** Query values arrive as text: digits become a number, anything else stays and fails IsInt. */
const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value);

/** A client: `{ subject, body }` (an enquiry). A counselor: `{ subject, body, clientIds }` (1 client: direct, 2 or more: group). */
export class CreateThreadDto {
  @ApiProperty({ maxLength: THREAD_LIMITS.subjectMax })
  @Transform(trim)
  @IsString()
  @Length(1, THREAD_LIMITS.subjectMax)
  subject!: string;

  @ApiProperty({ maxLength: THREAD_LIMITS.bodyMax })
  @Transform(trim)
  @IsString()
  @Length(1, THREAD_LIMITS.bodyMax)
  body!: string;

  @ApiPropertyOptional({ type: [String], description: 'Counselors only: client account ids of their own clients' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(THREAD_LIMITS.groupMax)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  clientIds?: string[];
}

export class CreatePostDto {
  @ApiProperty({ maxLength: THREAD_LIMITS.bodyMax })
  @Transform(trim)
  @IsString()
  @Length(1, THREAD_LIMITS.bodyMax)
  body!: string;

  @ApiProperty({ maxLength: THREAD_LIMITS.clientPostIdMax, description: 'Chosen by the client; the same id again returns the first post' })
  @IsString()
  @Length(1, THREAD_LIMITS.clientPostIdMax)
  @Matches(/^[\x21-\x7e]+$/, { message: 'clientPostId must be printable ASCII' })
  clientPostId!: string;

  @ApiPropertyOptional({ type: [String], description: 'The caller’s own uploaded, not yet attached documents of this thread' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  documentIds?: string[];
}

export class PostsQueryDto {
  @ApiPropertyOptional({ description: 'Posts after this seq (default 0)' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  afterSeq?: number;

  @ApiPropertyOptional({ maximum: THREAD_LIMITS.pageMax })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(THREAD_LIMITS.pageMax)
  limit?: number;
}

export class AssignThreadDto {
  @ApiProperty()
  @IsUUID('all')
  counselorId!: string;
}

export class ReadThreadDto {
  @ApiProperty({ minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(2_000_000_000)
  seq!: number;
}
