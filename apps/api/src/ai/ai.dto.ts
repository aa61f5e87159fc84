import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { LINE_TEXT, LINE_TEXT_MESSAGE } from '@jewelshot/platform';
import {
  JOB_FAILURE_CODES,
  JOB_STATUSES,
  OPERATIONS,
  PRIORITIES,
  type JobFailureCode,
  type JobStatus,
  type Operation,
  type Priority,
} from '@jewelshot/ai-jobs';
import { PageQueryDto } from '../common/pagination.dto';

const PARAMS_DESCRIPTION = [
  'Per operation:',
  '- generate: { prompt (1-2000 chars, not blank, no control characters but tab and line breaks), numImages 1-4 (default 1), aspectRatio 1:1|4:3|3:4|16:9|9:16 (default 1:1) } — costs price × numImages',
  '- edit: { inputImageId, prompt }',
  '- remove-background: { inputImageId }',
  '- upscale: { inputImageId, scale 2|4 (default 2) }',
  'inputImageId must be one of your uploads or outputs.',
].join('\n');

export class SubmitJobDto {
  @ApiProperty({ type: String, enum: OPERATIONS })
  @IsIn(OPERATIONS)
  operation!: Operation;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: PARAMS_DESCRIPTION,
    example: { prompt: 'gold ring on marble, soft daylight', numImages: 2 },
  })
  @IsObject()
  params!: Record<string, unknown>;
}

export class JobErrorDto {
  @ApiProperty({
    enum: JOB_FAILURE_CODES,
    example: 'PROVIDER_ERROR',
    description: 'Why the job ended without its result; a closed list, one message per code',
  })
  code!: JobFailureCode;

  @ApiProperty({ type: String, description: 'The same in English words, for logs and people' })
  message!: string;
}

export class JobOutputDto {
  @ApiProperty({ type: String, format: 'uuid' }) fileId!: string;
  @ApiProperty({ type: String }) url!: string;
  @ApiProperty({ type: Number }) width!: number;
  @ApiProperty({ type: Number }) height!: number;
}

export class JobDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, enum: OPERATIONS }) operation!: Operation;
  @ApiProperty({ type: 'object', additionalProperties: true }) params!: Record<string, unknown>;
  @ApiProperty({ type: String, enum: JOB_STATUSES }) status!: JobStatus;
  @ApiProperty({ type: String, enum: PRIORITIES }) priority!: Priority;
  @ApiProperty({ type: Number, description: 'Credits held, charged on success' }) cost!: number;
  @ApiProperty({ type: Number }) attempts!: number;
  @ApiProperty({
    type: Boolean,
    description: 'A cancel was asked for (while it was queued or while it ran)',
  })
  cancelRequested!: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) batchId!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) queuedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: JobErrorDto, nullable: true }) error!: JobErrorDto | null;
  @ApiProperty({
    type: [JobOutputDto],
    description:
      'The images a succeeded job made that you still keep: an output you deleted (DELETE /v1/files/{id}) is no longer listed',
  })
  outputs!: JobOutputDto[];
}

export class JobPageDto {
  @ApiProperty({ type: [JobDto] }) data!: JobDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class JobListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: String, enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;
}

export class CreateBatchDto {
  @ApiProperty({ type: String, maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(LINE_TEXT, { message: LINE_TEXT_MESSAGE })
  name!: string;

  @ApiProperty({ type: String, enum: ['edit', 'remove-background', 'upscale'] })
  @IsIn(['edit', 'remove-background', 'upscale'])
  operation!: Operation;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The operation params, without inputImageId (see POST /v1/ai/jobs)',
  })
  @IsObject()
  params!: Record<string, unknown>;

  @ApiProperty({ type: [String], minItems: 1, maxItems: 100, description: 'One job per image' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('4', { each: true })
  inputImageIds!: string[];
}

export class BatchProgressDto {
  @ApiProperty({ type: Number }) total!: number;
  @ApiProperty({ type: Number }) queued!: number;
  @ApiProperty({ type: Number }) running!: number;
  @ApiProperty({ type: Number }) succeeded!: number;
  @ApiProperty({ type: Number }) failed!: number;
  @ApiProperty({ type: Number }) canceled!: number;
}

export class BatchSummaryDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String }) name!: string;
  @ApiProperty({ type: String, enum: OPERATIONS }) operation!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) params!: Record<string, unknown>;
  @ApiProperty({ type: Number }) total!: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: BatchProgressDto, description: "The items' counts by status" })
  progress!: BatchProgressDto;
}

export class BatchDto extends BatchSummaryDto {
  @ApiProperty({ type: [JobDto] }) items!: JobDto[];
}

export class BatchPageDto {
  @ApiProperty({ type: [BatchSummaryDto] }) data!: BatchSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
