import type { ValidationError as ClassValidatorError } from 'class-validator';
import type { FieldError } from './domain-error';

/** class-validator's nested errors as a flat list of { field: 'a.b.c', message }. */
export function fieldErrors(errors: ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}
