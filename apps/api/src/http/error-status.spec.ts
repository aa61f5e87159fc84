import * as aiJobs from '@jewelshot/ai-jobs';
import * as creditLedger from '@jewelshot/credit-ledger';
import * as email from '@jewelshot/email';
import * as identity from '@jewelshot/identity';
import * as platform from '@jewelshot/platform';
import { DomainError } from '@jewelshot/platform';
import { toErrorBody } from './error-response';
import { ERROR_STATUS, statusOfCode } from './error-status';

/** Every `<LIB>_ERROR_CODES` list a lib's public face exports, found by name. */
function declaredCodes(): string[] {
  return [platform, email, identity, creditLedger, aiJobs].flatMap((lib) =>
    Object.entries(lib)
      .filter(([name, value]) => name.endsWith('_ERROR_CODES') && Array.isArray(value))
      .flatMap(([, value]) => value as string[]),
  );
}

describe('ERROR_STATUS', () => {
  it('gives every code a lib declares an HTTP status', () => {
    const codes = declaredCodes();
    expect(codes).toEqual(expect.arrayContaining(['VALIDATION_ERROR', 'INSUFFICIENT_CREDITS']));
    expect(codes.filter((code) => !Object.hasOwn(ERROR_STATUS, code))).toEqual([]);
  });

  it('holds no code that no lib declares', () => {
    const codes = new Set(declaredCodes());
    expect(Object.keys(ERROR_STATUS).filter((code) => !codes.has(code))).toEqual([]);
  });

  it('answers 500 for a code with no status, never a guess', () => {
    expect(statusOfCode('NOT_A_DECLARED_CODE')).toBe(500);
    expect(statusOfCode('toString')).toBe(500);
    expect(toErrorBody(new DomainError('NOT_A_DECLARED_CODE', 'oops'), 'r').body.statusCode).toBe(
      500,
    );
  });
});
