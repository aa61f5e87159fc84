import { ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { fieldErrors, ValidationError, type FieldError } from '@jewelshot/platform';

/** At most this many field errors go back in `details`: enough to fix a form, too few to amplify an attack. */
export const MAX_FIELD_ERRORS = 20;

const knownFields = new WeakMap<object, ReadonlySet<string>>();

/** The properties a DTO class declares to class-validator (its whitelist), computed once per class. */
function fieldsOf(metatype: abstract new (...args: never[]) => unknown): ReadonlySet<string> {
  let fields = knownFields.get(metatype);
  if (!fields) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
    fields = new Set(metadata.map((m) => m.propertyName));
    knownFields.set(metatype, fields);
  }
  return fields;
}

/**
 * The own keys of `value` that are not in `known`, as the field errors an unknown field gets
 * (`whitelistValidation`), at most MAX_FIELD_ERRORS of them: a body's (this pipe) and a query's
 * (documented-requests.ts).
 */
export function unknownFields(known: ReadonlySet<string>, value: object): FieldError[] {
  const unknown: FieldError[] = [];
  for (const key in value) {
    if (!Object.hasOwn(value, key) || known.has(key)) continue;
    unknown.push({
      field: key,
      message: `property ${key} should not exist`,
      constraint: 'whitelistValidation',
    });
    if (unknown.length >= MAX_FIELD_ERRORS) break;
  }
  return unknown;
}

/**
 * The global pipe: class-validator with whitelist and forbidNonWhitelisted, stopping at the
 * first failed constraint of each property, and at most MAX_FIELD_ERRORS details.
 *
 * Unknown top-level fields are refused before class-transformer and class-validator run:
 * both would otherwise copy the object and build one error object per unknown key, which made
 * a body of 90,000 unknown fields cost seconds of event-loop time and a 5.7 MB answer.
 */
export class BoundedValidationPipe implements PipeTransform {
  private readonly validation = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    // fieldErrors reads the failed decorator's arguments (the `min` of a length) from the class
    // of the object an error was found in; the target itself never reaches the answer.
    validationError: { target: true },
    exceptionFactory: (errors) =>
      new ValidationError(fieldErrors(errors).slice(0, MAX_FIELD_ERRORS)),
  });

  // Not async: a custom decorator's value (the caller, on nearly every route) comes back as it is,
  // as ValidationPipe returns it (validateCustomDecorators is off), without a promise on the way.
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const { metatype } = metadata;
    if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      typeof metatype === 'function'
    ) {
      const fields = fieldsOf(metatype);
      if (fields.size > 0) {
        const unknown = unknownFields(fields, value);
        if (unknown.length > 0) throw new ValidationError(unknown);
      }
    }
    return this.validation.transform(value, metadata);
  }
}
