import { ValidateIf } from 'class-validator';

/**
 * A field that may be left out, but when sent must pass its other rules: `null` is refused
 * (class-validator's `@IsOptional()` lets it through as if absent). For the bodies that change
 * what is stored (PATCH, PUT), where a null would otherwise reach the database (a 500 on a NOT
 * NULL column) or slip past a rule such as "at least one event".
 */
export function PresentOrAbsent(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
