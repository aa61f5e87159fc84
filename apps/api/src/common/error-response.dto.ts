import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES } from '../http/error-status';

/**
 * Which conflict a CONFLICT is (`details.reason`), so a client can say it in its own words.
 * Each is set where its error is thrown (the libs' `*.errors.ts`); never rename one.
 */
export const CONFLICT_REASONS = [
  'EMAIL_TAKEN',
  'API_KEY_LIMIT',
  'WEBHOOK_ENDPOINT_LIMIT',
  'WEBHOOK_ENDPOINT_DISABLED',
  'BELOW_RESERVED',
  'HOLD_SETTLED',
  'REFERENCE_REUSED',
  'JOB_NOT_CANCELABLE',
  'JOB_NOT_RETRYABLE',
  'JOB_ALREADY_RETRIED',
  'JOB_OWNER_BANNED',
  'PRICE_CHANGED',
  'IN_FLIGHT',
  'LAST_ADMIN',
  'FLAG_RESOLVED',
  'FILE_IN_USE',
] as const;

export class FieldErrorDto {
  @ApiProperty({ example: 'password' })
  field!: string;

  @ApiProperty({
    description:
      'For people reading the raw answer: English, naming the field as the API spells it. ' +
      'Match on `constraint`, not on this text.',
    example: 'password must be 10 to 128 characters',
  })
  message!: string;

  @ApiProperty({
    description:
      'The check the value failed, machine-readable and stable: a class-validator constraint ' +
      'name (`isDefined` for a missing value, `isString`, `isNumber` for a number that is none, `isEmail`, `isUrl`, `minLength`, ' +
      '`maxLength`, `min`, `max`, `isIn`, `whitelistValidation` for an unknown field, ...) or ' +
      "one of the API's own: `isNotCommonPassword` (one of the most common passwords), " +
      '`isCurrentPassword` (the current password given is wrong), `isPublicUrl` (a webhook ' +
      'URL that cannot receive webhooks); `invalid` when the check has no name of its own. ' +
      'An email address is checked by a pattern too: a malformed one usually answers ' +
      '`matches`. New names may be added: treat an unknown one as a general "check this field".',
    example: 'minLength',
  })
  constraint!: string;

  @ApiPropertyOptional({
    description:
      'The lower bound the value broke (`minLength`: characters; `min`: the number; ' +
      '`arrayMinSize`: items).',
    example: 10,
  })
  min?: number;

  @ApiPropertyOptional({
    description:
      'The upper bound the value broke (`maxLength`: characters; `max`: the number; ' +
      '`arrayMaxSize`: items).',
    example: 128,
  })
  max?: number;
}

/** The one shape of every non-2xx response. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ enum: ERROR_CODES, example: 'VALIDATION_ERROR' })
  code!: string;

  @ApiProperty({ example: 'The request is invalid' })
  error!: string;

  @ApiProperty({ example: '0b6c2a5e-7d4f-4c53-9d1e-2f5b8f3f1c2a' })
  requestId!: string;

  @ApiPropertyOptional({
    description:
      'Validation errors: a list of { field, message, constraint }; other codes may carry an ' +
      'object. A CONFLICT says which conflict it is in `reason`.',
    oneOf: [
      { type: 'array', items: { $ref: '#/components/schemas/FieldErrorDto' } },
      {
        type: 'object',
        properties: {
          reason: {
            type: 'string',
            enum: [...CONFLICT_REASONS],
            description: 'On a CONFLICT: which conflict it is.',
          },
        },
        additionalProperties: true,
      },
    ],
  })
  details?:
    FieldErrorDto[] | ({ reason?: (typeof CONFLICT_REASONS)[number] } & Record<string, unknown>);
}
