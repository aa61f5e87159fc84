import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDate,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxDate,
  MaxLength,
} from 'class-validator';
import type { ApiKeyView } from '@jewelshot/identity';
import { LINE_TEXT, LINE_TEXT_MESSAGE } from '@jewelshot/platform';
import { API_KEY_SCOPES, type ApiKeyScope } from '../common/scopes.decorator';

export class CreateApiKeyDto {
  @ApiProperty({ type: String, maxLength: 100, description: 'Yours to tell keys apart' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(LINE_TEXT, { message: LINE_TEXT_MESSAGE })
  name!: string;

  @ApiProperty({
    type: [String],
    enum: API_KEY_SCOPES,
    minItems: 1,
    description: 'What the key may do; a route outside them is 403 INSUFFICIENT_SCOPE',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes!: ApiKeyScope[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the key stops working; absent or null: never',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  @MaxDate(new Date('9999-12-31T00:00:00Z'))
  expiresAt?: Date | null;
}

export class ApiKeyDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String }) name!: string;
  @ApiProperty({ type: String, description: "The key's public start, `js_live_<public id>`" })
  prefix!: string;
  @ApiProperty({ type: [String], enum: API_KEY_SCOPES }) scopes!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Roughly (updated at most once a minute)',
  })
  lastUsedAt!: string | null;

  static of(key: ApiKeyView): ApiKeyDto {
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      createdAt: key.createdAt.toISOString(),
      expiresAt: key.expiresAt?.toISOString() ?? null,
      lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    type: String,
    description: 'The key itself, `js_live_<public id>_<secret>`: shown this once, never again',
  })
  key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto], description: 'Your live keys, newest first (at most 50)' })
  data!: ApiKeyDto[];
}
