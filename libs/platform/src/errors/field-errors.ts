import type { ValidationError as ClassValidatorError } from 'class-validator';
import type { FieldError } from './domain-error';

/** class-validator's length checks: they fail any value that is not a string, saying a length. */
const LENGTH_CONSTRAINTS = new Set(['maxLength', 'minLength', 'isLength']);

/**
 * What to tell the client about one field. class-validator reports the first failing check in
 * the order the decorators were registered (the one nearest the property first), so a missing
 * `email` was "email must be shorter than or equal to 254 characters" and a number where a
 * string belongs said a length too. A field with no value (an optional one never fails) is
 * "is required"; a length check failed by a value that is not a string is "must be a string".
 */
function messagesOf(error: ClassValidatorError, field: string): string[] {
  const constraints = error.constraints ?? {};
  const names = Object.keys(constraints);
  if (names.length === 0 || names.includes('whitelistValidation'))
    return Object.values(constraints);
  // An optional field refusing null says so itself (IsDefined, checked past an undefined).
  if (error.value === null && names.includes('isDefined')) return Object.values(constraints);
  if (error.value === undefined || error.value === null) return [`${field} is required`];
  if (typeof error.value !== 'string' && names.every((name) => LENGTH_CONSTRAINTS.has(name)))
    return [`${field} must be a string`];
  return Object.values(constraints);
}

/** class-validator's nested errors as a flat list of { field: 'a.b.c', message }. */
export function fieldErrors(errors: ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = messagesOf(error, field).map((message) => ({ field, message }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}
