import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class FileDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, description: 'Short-lived signed URL an <img> tag can use' })
  url!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When url stops working' })
  urlExpiresAt!: string;
  @ApiProperty({ type: Number }) width!: number;
  @ApiProperty({ type: Number }) height!: number;
  @ApiProperty({ type: Number }) bytes!: number;
  @ApiProperty({ type: String, enum: ['image/jpeg', 'image/png', 'image/webp'] })
  contentType!: string;
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
