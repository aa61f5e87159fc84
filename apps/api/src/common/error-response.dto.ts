import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES } from '../http/error-status';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
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
      'Validation errors: a list of { field, message }; other codes may carry an object.',
    oneOf: [
      { type: 'array', items: { $ref: '#/components/schemas/FieldErrorDto' } },
      { type: 'object', additionalProperties: true },
    ],
  })
  details?: FieldErrorDto[] | Record<string, unknown>;
}
