import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  IsUrl,
  MaxLength,
} from 'class-validator';
import {
  DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_TEST_TYPE,
  type DeliveryStatus,
  type WebhookEventType,
} from '@jewelshot/webhooks';
import { PresentOrAbsent } from '../common/present-or-absent.decorator';

const URL_DESCRIPTION =
  'Where events are POSTed. Outside development: https only, and the name must resolve to public addresses ' +
  '(no loopback, private, link-local or metadata addresses); checked now and at every delivery. Redirects are not followed.';

const URL_RULES = {
  require_protocol: true,
  protocols: ['http', 'https'],
  require_tld: false,
  allow_underscores: true,
};

export class CreateWebhookDto {
  @ApiProperty({
    type: String,
    maxLength: 2048,
    example: 'https://example.com/jewelshot-hooks',
    description: URL_DESCRIPTION,
  })
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_RULES)
  url!: string;

  @ApiProperty({
    type: [String],
    enum: WEBHOOK_EVENT_TYPES,
    minItems: 1,
    example: ['job.succeeded', 'job.failed'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events!: WebhookEventType[];

  @ApiPropertyOptional({ type: String, maxLength: 500, default: '' })
  @PresentOrAbsent()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ type: String, maxLength: 2048, description: URL_DESCRIPTION })
  @PresentOrAbsent()
  @IsString()
  @MaxLength(2048)
  @IsUrl(URL_RULES)
  url?: string;

  @ApiPropertyOptional({ type: [String], enum: WEBHOOK_EVENT_TYPES, minItems: 1 })
  @PresentOrAbsent()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: WebhookEventType[];

  @ApiPropertyOptional({ type: String, maxLength: 500 })
  @PresentOrAbsent()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'true enables a disabled endpoint again' })
  @PresentOrAbsent()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String }) url!: string;
  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_TYPES }) events!: WebhookEventType[];
  @ApiProperty({ type: String }) description!: string;
  @ApiProperty({
    type: Boolean,
    description: 'false: disabled by its owner, or after failing 5 days straight',
  })
  enabled!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Start of the current run of failed deliveries',
  })
  failingSince!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Until then, the previous secret signs too (after a rotation)',
  })
  previousSecretExpiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class WebhookWithSecretDto extends WebhookDto {
  @ApiProperty({
    type: String,
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks). Shown once: store it now.',
  })
  secret!: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] }) data!: WebhookDto[];
}

export class WebhookEventRefDto {
  @ApiProperty({
    type: String,
    description: 'The webhook-id the receiver will see',
    example: 'msg_2b9f0c0e4d1a4f8c9a7e6d5c4b3a2f1e',
  })
  eventId!: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, description: 'The webhook-id sent' }) eventId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: [...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_TYPE],
    description:
      "The delivered event's `type`; null once the event was pruned (WEBHOOK_KEEP_DAYS) while this attempt's record remains",
  })
  eventType!: string | null;
  @ApiProperty({ type: Number, description: '1 for the first attempt' }) attempt!: number;
  @ApiProperty({ type: String, enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "The receiver's HTTP status, null when none came",
  })
  responseStatus!: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The receiver's answer, cut to 1,000 characters",
  })
  responseBody!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why no answer counted (timeout, refused address, connection error)',
  })
  error!: string | null;
  @ApiProperty({ type: Number }) durationMs!: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) data!: WebhookDeliveryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
