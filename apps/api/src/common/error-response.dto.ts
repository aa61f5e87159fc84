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

const count = (description: string) => ({ type: 'integer', description });

/**
 * The fields of an error's `details` object, by the codes that carry them (set where each error
 * is thrown: the libs' `*.errors.ts`, the rate-limit hook, the work queue).
 */
const DETAIL_FIELDS = {
  needed: count('INSUFFICIENT_CREDITS: the credits the request needs.'),
  available: count('INSUFFICIENT_CREDITS: the credits available (balance less reserved).'),
  policy: {
    type: 'string',
    description:
      'RATE_LIMIT_EXCEEDED from a rate-limit policy: the policy (as in the RateLimit-Policy ' +
      'header); `active-jobs` (in no header: it counts jobs, not requests) when a submit would ' +
      "pass MAX_ACTIVE_JOBS_PER_USER jobs in progress. A login refused by the email's lock has none (it is no policy).",
  },
  limit: count(
    "RATE_LIMIT_EXCEEDED from a policy: the policy's limit in its window (`active-jobs`: jobs queued or running at once); CONFLICT API_KEY_LIMIT and " +
      'WEBHOOK_ENDPOINT_LIMIT: how many the account may have.',
  ),
  retryAfterSeconds: count(
    'RATE_LIMIT_EXCEEDED, SERVICE_UNAVAILABLE, CONFLICT IN_FLIGHT: seconds to wait, as in Retry-After.',
  ),
  outcome: {
    type: 'string',
    enum: ['unknown'],
    description:
      'SERVICE_UNAVAILABLE of a submit whose database went away as it committed and did not come back in time to ' +
      'say whether it had: it may have been carried out (no Retry-After). Retry only with the same Idempotency-Key.',
  },
  scope: { type: 'string', description: 'INSUFFICIENT_SCOPE: the scope the API key lacks.' },
  width: count('PAYLOAD_TOO_LARGE (an image over IMAGE_MAX_PIXELS): its width in pixels.'),
  height: count('PAYLOAD_TOO_LARGE (an image over IMAGE_MAX_PIXELS): its height in pixels.'),
  maxPixels: count('PAYLOAD_TOO_LARGE: IMAGE_MAX_PIXELS.'),
  used: count('PAYLOAD_TOO_LARGE (storage quota): bytes stored now.'),
  quota: count('PAYLOAD_TOO_LARGE (storage quota): STORAGE_QUOTA_BYTES.'),
  incoming: count('PAYLOAD_TOO_LARGE (storage quota): bytes this upload would add.'),
  status: {
    type: 'string',
    description:
      "CONFLICT JOB_NOT_CANCELABLE, JOB_NOT_RETRYABLE: the job's status; HOLD_SETTLED: the hold's.",
  },
  retryId: {
    type: 'string',
    format: 'uuid',
    description: 'CONFLICT JOB_ALREADY_RETRIED: the job that retried it.',
  },
  jobIds: {
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    description: 'CONFLICT FILE_IN_USE: the queued or running jobs that read the file.',
  },
  balance: count('CONFLICT BELOW_RESERVED: the balance.'),
  reserved: count('CONFLICT BELOW_RESERVED: the credits reserved.'),
  delta: count('CONFLICT BELOW_RESERVED: the adjustment refused.'),
};

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
      'URL that cannot receive webhooks), `isWellFormedText` (a NUL character or a lone UTF-16 surrogate in a ' +
      'query or path value, the Idempotency-Key or a form field); `invalid` when the check has no name of its own. ' +
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
      'object, whose fields are listed with the codes that carry them. A CONFLICT says which ' +
      'conflict it is in `reason`.',
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
          ...DETAIL_FIELDS,
        },
        additionalProperties: true,
      },
    ],
  })
  details?:
    | FieldErrorDto[]
    | ({ reason?: (typeof CONFLICT_REASONS)[number] } & Partial<
        Record<keyof typeof DETAIL_FIELDS, unknown>
      > &
        Record<string, unknown>);
}
