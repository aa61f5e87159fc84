import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as abuse from '@jewelshot/abuse';
import * as admin from '@jewelshot/admin';
import * as aiJobs from '@jewelshot/ai-jobs';
import * as audit from '@jewelshot/audit';
import * as backup from '@jewelshot/backup';
import * as ledger from '@jewelshot/credit-ledger';
import * as email from '@jewelshot/email';
import * as identity from '@jewelshot/identity';
import * as platform from '@jewelshot/platform';
import { DomainError, repoRoot } from '@jewelshot/platform';

interface DetailsSchema {
  oneOf: Array<{ type: string; properties?: Record<string, { type?: string }> }>;
}

/**
 * Every field an error's `details` object carries is declared in openapi.yaml (so the typed
 * client types it): each DomainError the libs export (every class of their `*.errors.ts`) is made,
 * its arguments stand-ins, and the keys of its details are looked up among the schema's. The
 * few thrown where they arise (the rate limiter's, the webhook endpoint limit) are declared by
 * hand.
 */
describe("the errors' details objects", () => {
  const spec = parse(readFileSync(join(repoRoot(), 'openapi.yaml'), 'utf8')) as {
    components: {
      schemas: { ErrorResponseDto: { properties: { details: DetailsSchema } } };
    };
  };
  const object = spec.components.schemas.ErrorResponseDto.properties.details.oneOf.find(
    (branch) => branch.type === 'object',
  );
  const declared = new Set(Object.keys(object?.properties ?? {}));

  const errors = Object.entries({
    ...abuse,
    ...admin,
    ...aiJobs,
    ...audit,
    ...backup,
    ...ledger,
    ...email,
    ...identity,
    ...platform,
  }).flatMap(([name, value]) => {
    if (typeof value !== 'function' || !(value.prototype instanceof DomainError)) return [];
    const make = value as new (...args: unknown[]) => DomainError;
    // Stand-in arguments: numbers, else strings; one that takes neither (a list of field
    // errors, as ValidationError) carries a list, not an object.
    for (const args of [
      [1, 2, 3, 4, 5],
      ['1', '2', '3', '4', '5'],
    ])
      try {
        return [{ name, error: new make(...args) }];
      } catch {
        // the next stand-ins
      }
    return [];
  });

  it("makes every error class of the libs' error modules (each is exported)", () => {
    const libs = join(repoRoot(), 'libs');
    const classes = readdirSync(libs).flatMap((lib) => {
      const src = join(libs, lib, 'src');
      return readdirSync(src)
        .filter((file) => file.endsWith('.errors.ts'))
        .flatMap((file) =>
          [
            ...readFileSync(join(src, file), 'utf8').matchAll(
              /export class (\w+) extends (?!Error\b)\w+/g,
            ),
          ].map((match) => match[1]),
        );
    });
    expect(classes.length).toBeGreaterThan(30);
    const made = new Set(errors.map(({ name }) => name));
    expect(classes.filter((name) => !made.has(name as string))).toEqual([]);
  });

  it('finds the errors that carry an object', () => {
    const carrying = errors.filter(
      ({ error }) => typeof error.details === 'object' && !Array.isArray(error.details),
    );
    // Some of each kind: a conflict's reason, credits, an image, a quota, a scope, a wait.
    expect(carrying.map(({ name }) => name)).toEqual(
      expect.arrayContaining([
        'InsufficientCreditsError',
        'FileInUseError',
        'InsufficientScopeError',
        'LoginLockedError',
        'ServiceBusyError',
      ]),
    );
  });

  it('declares every key of every details object', () => {
    const undeclared = errors.flatMap(({ name, error }) =>
      typeof error.details === 'object' && error.details !== null && !Array.isArray(error.details)
        ? Object.keys(error.details)
            .filter((key) => !declared.has(key))
            .map((key) => `${name}.details.${key}`)
        : [],
    );
    expect(undeclared).toEqual([]);
  });
});
