import { plainToInstance } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { fieldErrors, MULTILINE_TEXT, ValidationError } from '@jewelshot/platform';
import { OPERATIONS, type JobParams, type Operation } from './ai-job.entity';

export const ASPECT_RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16'] as const;

/**
 * A prompt says something (a letter, digit or sign, not only white space or zero-width
 * characters), with no control characters but tab and line breaks and no bidirectional
 * override: it would be charged for, stored and shown back as it is (MULTILINE_TEXT).
 */
const PROMPT_TEXT = MULTILINE_TEXT;
const PROMPT_MESSAGE =
  'prompt must have a letter, digit or sign, and no control characters but tab and line breaks, nor bidirectional ones';

/**
 * An optional param may be left out (its default applies), not sent as null: null is not a
 * number of images or an aspect ratio, and would be stored and sent to the provider as it is.
 */
function Absent(): PropertyDecorator {
  return (target, property) => {
    ValidateIf((_object: object, value: unknown) => value !== undefined)(target, property);
    IsDefined({ message: '$property may be left out for its default, not null' })(target, property);
  };
}

export class GenerateParams {
  // Checked from the property up, one failure said: a string, its length, then its text.
  @Matches(PROMPT_TEXT, { message: PROMPT_MESSAGE })
  @Length(1, 2000)
  @IsString()
  prompt!: string;

  // From the property up, one failure said: given, a whole number, then its range.
  @Max(4)
  @Min(1)
  @IsInt()
  @Absent()
  numImages: number = 1;

  @IsIn(ASPECT_RATIOS)
  @Absent()
  aspectRatio: string = '1:1';
}

export class EditParams {
  @IsUUID('4')
  inputImageId!: string;

  // Checked from the property up, one failure said: a string, its length, then its text.
  @Matches(PROMPT_TEXT, { message: PROMPT_MESSAGE })
  @Length(1, 2000)
  @IsString()
  prompt!: string;
}

export class RemoveBackgroundParams {
  @IsUUID('4')
  inputImageId!: string;
}

export class UpscaleParams {
  @IsIn([2, 4])
  @Absent()
  scale: number = 2;

  @IsUUID('4')
  inputImageId!: string;
}

const PARAMS: Record<Operation, new () => object> = {
  generate: GenerateParams,
  edit: EditParams,
  'remove-background': RemoveBackgroundParams,
  upscale: UpscaleParams,
};

export interface ValidJob {
  operation: Operation;
  params: JobParams;
  /** How many units the job costs (images for generate, else 1). */
  quantity: number;
  inputImageId: string | null;
}

/**
 * Checks an operation and its params (unknown fields refused), fills in defaults, and says
 * what it costs in units. Errors name `operation` or `params.<field>`.
 */
export function validateJob(operation: unknown, params: unknown, prefix = 'params'): ValidJob {
  if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation)) {
    throw new ValidationError([
      {
        field: 'operation',
        message: `operation must be one of: ${OPERATIONS.join(', ')}`,
        constraint: 'isIn',
      },
    ]);
  }
  const op = operation as Operation;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new ValidationError([{ field: prefix, message: `${prefix} must be an object` }]);
  }
  const instance = plainToInstance(PARAMS[op], params, { exposeDefaultValues: true });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  });
  if (errors.length > 0) throw new ValidationError(fieldErrors(errors, prefix));
  const clean = { ...(instance as JobParams) };
  const inputImageId = typeof clean.inputImageId === 'string' ? clean.inputImageId : null;
  return { operation: op, params: clean, quantity: imagesPaidFor(op, clean), inputImageId };
}

/**
 * How many images a job is paid for, and so delivers: `numImages` of a generate, else one. Its
 * hold's quantity at submit; what the worker keeps of the provider's answer at the end.
 */
export function imagesPaidFor(operation: Operation, params: JobParams): number {
  return operation === 'generate' ? Number(params.numImages ?? 1) : 1;
}
