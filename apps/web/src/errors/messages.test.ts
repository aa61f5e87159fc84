import { ApiError } from '@jewelshot/api-client';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeError, describeJobError, ERROR_MESSAGES, JOB_ERROR_MESSAGES } from './messages';

/** The codes the API declares: the enum of `<schema>.code` in openapi.yaml. */
function declaredCodes(schema = 'ErrorResponseDto'): string[] {
  const spec = readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), '../../../../openapi.yaml'),
    'utf8',
  );
  const start = spec.indexOf(`    ${schema}:`);
  if (start < 0) throw new Error(`${schema} not found in openapi.yaml`);
  const block = spec.slice(start);
  const codeEnum = /\n\s+code:\n(?:\s+\w+:.*\n)*?\s+enum:\n((?:\s+- .+\n)+)/.exec(block);
  if (!codeEnum?.[1]) throw new Error(`${schema}.code enum not found in openapi.yaml`);
  return codeEnum[1]
    .trim()
    .split('\n')
    .map((line) =>
      line
        .replace(/^\s*-\s*/, '')
        .replace(/["']/g, '')
        .trim(),
    );
}

describe('error messages', () => {
  it('has a message in both languages for exactly the codes the API declares', () => {
    const codes = declaredCodes();
    expect(codes.length).toBeGreaterThan(5);
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const entry = ERROR_MESSAGES[code as keyof typeof ERROR_MESSAGES];
      expect(entry.en.length, code).toBeGreaterThan(0);
      expect(entry.tr.length, code).toBeGreaterThan(0);
      expect(entry.tr, code).not.toBe(entry.en);
    }
  });

  it('has a message in both languages for exactly the job error codes the API declares', () => {
    const codes = declaredCodes('JobErrorDto');
    expect(codes).toContain('PROVIDER_ERROR');
    expect(Object.keys(JOB_ERROR_MESSAGES).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const entry = JOB_ERROR_MESSAGES[code as keyof typeof JOB_ERROR_MESSAGES];
      expect(entry.tr, code).not.toBe(entry.en);
    }
    expect(describeJobError('CANCELED', 'tr-TR')).toBe(JOB_ERROR_MESSAGES.CANCELED.tr);
    expect(describeJobError('SOMETHING_NEW', 'en')).toBe(JOB_ERROR_MESSAGES.PROVIDER_ERROR.en);
  });

  it('says when to retry after a 429, in the chosen language', () => {
    const error = new ApiError(
      429,
      { statusCode: 429, code: 'RATE_LIMIT_EXCEEDED', error: 'Too Many Requests', requestId: 'r1' },
      30,
    );
    expect(describeError(error, 'tr')).toMatchObject({
      message: ERROR_MESSAGES.RATE_LIMIT_EXCEEDED.tr,
      retryAfterSeconds: 30,
      requestId: 'r1',
    });
  });

  it('puts validation details next to their fields', () => {
    const error = new ApiError(400, {
      statusCode: 400,
      code: 'VALIDATION_ERROR',
      error: 'Bad Request',
      requestId: 'r2',
      details: [
        { field: 'email', message: 'email must be an email' },
        { field: 'password', message: 'password is too weak' },
      ],
    });
    expect(describeError(error, 'en').fields).toEqual({
      email: 'email must be an email',
      password: 'password is too weak',
    });
  });
});
