import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { FILE_KINDS, type FileKind } from '@jewelshot/ai-jobs';
import { PageQueryDto } from '../common/pagination.dto';

export class FileDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({
    type: String,
    enum: FILE_KINDS,
    description: '`upload`: an image you uploaded; `output`: an image a job of yours made',
  })
  kind!: FileKind;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The job that made an output; null for an upload',
  })
  jobId!: string | null;
  @ApiProperty({ type: String, description: 'Short-lived signed URL an <img> tag can use' })
  url!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When url stops working' })
  urlExpiresAt!: string;
  @ApiProperty({ type: Number }) width!: number;
  @ApiProperty({ type: Number }) height!: number;
  @ApiProperty({ type: Number, description: 'Stored size, what counts against your quota' })
  bytes!: number;
  @ApiProperty({ type: String, enum: ['image/jpeg', 'image/png', 'image/webp'] })
  contentType!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class FilePageDto {
  @ApiProperty({ type: [FileDto] }) data!: FileDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class FileListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: String, enum: FILE_KINDS, description: 'Only files of this kind' })
  @IsOptional()
  @IsIn(FILE_KINDS)
  kind?: FileKind;
}

export class StorageUsageDto {
  @ApiProperty({
    type: Number,
    description: 'Bytes of the files you keep now (uploads and outputs; deleted ones no more)',
  })
  usedBytes!: number;
  @ApiProperty({
    type: Number,
    description: 'STORAGE_QUOTA_BYTES: an upload that would take usedBytes past it is 413',
  })
  quotaBytes!: number;
}

export class UploadBodyDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'One JPEG, PNG or WebP image' })
  file!: unknown;
}

export class FileContentQueryDto {
  @IsString()
  @MaxLength(20)
  expires!: string;

  @IsString()
  @MaxLength(100)
  sig!: string;
}
