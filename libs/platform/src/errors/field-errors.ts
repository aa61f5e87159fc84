import {
  getMetadataStorage,
  minLength,
  type ValidationError as ClassValidatorError,
} from 'class-validator';
import type { FieldError } from './domain-error';

/** class-validator's length checks: they fail any value that is not a string, saying a length. */
const LENGTH_CONSTRAINTS = new Set(['maxLength', 'minLength', 'isLength']);

/** class-validator's number bounds: they fail a value that is no number (NaN, text), naming a bound. */
const BOUND_CONSTRAINTS = new Set(['min', 'max']);

/** The constraints whose first argument is a lower bound (`min`) or an upper one (`max`). */
const MIN_CONSTRAINTS = new Set(['minLength', 'min', 'arrayMinSize']);
const MAX_CONSTRAINTS = new Set(['maxLength', 'max', 'arrayMaxSize']);

/** The arguments a decorator was given (`@Length(10, 128)`: [10, 128]), found by its name. */
function argumentsOf(error: ClassValidatorError, name: string): unknown[] {
  const target = error.target?.constructor;
  if (typeof target !== 'function') return [];
  const metadata = getMetadataStorage()
    .getTargetValidationMetadatas(target, '', true, false)
    .find((m) => m.propertyName === error.property && m.name === name);
  return Array.isArray(metadata?.constraints) ? (metadata.constraints as unknown[]) : [];
}

const numberOr = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/**
 * The machine-readable side of a failed check: its class-validator name, with the bound it
 * broke as `min` or `max`. `@Length(min, max)` names the side the value broke (`minLength` or
 * `maxLength`), so a client can say "at least" or "at most" without seeing the value.
 */
function constraintOf(
  error: ClassValidatorError,
  name: string,
): Pick<FieldError, 'constraint' | 'min' | 'max'> {
  const args = argumentsOf(error, name);
  if (name === 'isLength') {
    const [min, max] = [numberOr(args[0]), numberOr(args[1])];
    if (min !== undefined && !minLength(error.value, min)) return { constraint: 'minLength', min };
    if (max !== undefined) return { constraint: 'maxLength', max };
    return { constraint: name };
  }
  const bound = numberOr(args[0]);
  if (bound !== undefined && MIN_CONSTRAINTS.has(name)) return { constraint: name, min: bound };
  if (bound !== undefined && MAX_CONSTRAINTS.has(name)) return { constraint: name, max: bound };
  return { constraint: name };
}

/**
 * What to tell the client about one field. class-validator reports the first failing check in
 * the order the decorators were registered (the one nearest the property first), so a missing
 * `email` was "email must be shorter than or equal to 254 characters" and a number where a
 * string belongs said a length too. A field with no value (an optional one never fails) is
 * "is required" (`isDefined`); a length check failed by a value that is not a string is "must
 * be a string" (`isString`), and a bound failed by a value that is no number (`limit=abc`) "must
 be a number" (`isNumber`).
 */
function errorsOf(error: ClassValidatorError, field: string): FieldError[] {
  const constraints = error.constraints ?? {};
  const names = Object.keys(constraints);
  const asIs = () =>
    Object.entries(constraints).map(([name, message]) => ({
      field,
      message,
      ...constraintOf(error, name),
    }));
  if (names.length === 0 || names.includes('whitelistValidation')) return asIs();
  // An optional field refusing null says so itself (IsDefined, checked past an undefined).
  if (error.value === null && names.includes('isDefined')) return asIs();
  if (error.value === undefined || error.value === null)
    return [{ field, message: `${field} is required`, constraint: 'isDefined' }];
  if (typeof error.value !== 'string' && names.every((name) => LENGTH_CONSTRAINTS.has(name)))
    return [{ field, message: `${field} must be a string`, constraint: 'isString' }];
  const isNumber = typeof error.value === 'number' && Number.isFinite(error.value);
  if (!isNumber && names.every((name) => BOUND_CONSTRAINTS.has(name)))
    return [{ field, message: `${field} must be a number`, constraint: 'isNumber' }];
  return asIs();
}

/** class-validator's nested errors as a flat list of { field: 'a.b.c', message, constraint }. */
export function fieldErrors(errors: ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    return [...errorsOf(error, field), ...fieldErrors(error.children ?? [], field)];
  });
}
