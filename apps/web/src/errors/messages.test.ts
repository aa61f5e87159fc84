import { ApiError } from '@jewelshot/api-client';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ACTIVE_JOBS_MESSAGE,
  CONFLICT_MESSAGES,
  describeError,
  describeJobError,
  ERROR_MESSAGES,
  FIELD_MESSAGES,
  JOB_ERROR_MESSAGES,
} from './messages';

/** The codes the API declares: the enum of `<schema>.code` in openapi.yaml. */
function declaredCodes(schema = 'ErrorResponseDto', property = 'code'): string[] {
  const spec = readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), '../../../../openapi.yaml'),
    'utf8',
  );
  const start = spec.indexOf(`    ${schema}:`);
  if (start < 0) throw new Error(`${schema} not found in openapi.yaml`);
  const block = spec.slice(start);
  const codeEnum = new RegExp(
    `\\n\\s+${property}:\\n(?:\\s+\\w+:.*\\n)*?\\s+enum:\\n((?:\\s+- .+\\n)+)`,
  ).exec(block);
  if (!codeEnum?.[1]) throw new Error(`${schema}.${property} enum not found in openapi.yaml`);
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

  it('says a submit refused for the jobs in progress as such, not as too many requests', () => {
    const error = new ApiError(
      429,
      {
        statusCode: 429,
        code: 'RATE_LIMIT_EXCEEDED',
        error: 'You have the most jobs in progress allowed (500).',
        requestId: 'r3',
        details: { policy: 'active-jobs', limit: 500, retryAfterSeconds: 30 },
      },
      30,
    );
    expect(describeError(error, 'en')).toMatchObject({
      message: ACTIVE_JOBS_MESSAGE.en,
      retryAfterSeconds: 30,
    });
    expect(describeError(error, 'tr').message).toBe(ACTIVE_JOBS_MESSAGE.tr);
    // Another policy's 429 keeps the general words.
    const submits = new ApiError(
      429,
      {
        statusCode: 429,
        code: 'RATE_LIMIT_EXCEEDED',
        error: 'Too many requests.',
        requestId: 'r4',
        details: { policy: 'submit', limit: 30, retryAfterSeconds: 12 },
      },
      12,
    );
    expect(describeError(submits, 'en').message).toBe(ERROR_MESSAGES.RATE_LIMIT_EXCEEDED.en);
  });

  it('puts validation details next to their fields, in plain words chosen by constraint', () => {
    const error = new ApiError(400, {
      statusCode: 400,
      code: 'VALIDATION_ERROR',
      error: 'Bad Request',
      requestId: 'r2',
      details: [
        { field: 'email', message: 'email must be a valid email address', constraint: 'isEmail' },
        {
          field: 'password',
          message: 'password must be longer than or equal to 1 characters',
          constraint: 'minLength',
          min: 1,
        },
        { field: 'password', message: 'a second check of the same field', constraint: 'isString' },
      ],
    });
    expect(describeError(error, 'en').fields).toEqual({
      email: 'Enter a valid email address',
      password: 'Enter your password',
    });
    expect(describeError(error, 'tr').fields).toEqual({
      email: 'Geçerli bir e-posta adresi girin',
      password: 'Parolanızı girin',
    });
  });

  it("shows a list item's error under the list's own field too (inputImageIds.1)", () => {
    const error = new ApiError(400, {
      statusCode: 400,
      code: 'VALIDATION_ERROR',
      error: 'Bad Request',
      requestId: 'r3',
      details: [
        { field: 'inputImageIds.1', message: 'no such image of yours', constraint: 'invalid' },
      ],
    });
    expect(describeError(error, 'en').fields).toEqual({
      'inputImageIds.1': 'Check this field',
      inputImageIds: 'Check this field',
    });
  });

  it.each([
    [
      'currentPassword',
      'currentPassword is not correct',
      { constraint: 'isCurrentPassword' },
      'The current password is not correct',
      'Mevcut parola doğru değil',
    ],
    [
      'newPassword',
      'newPassword is one of the most commonly used passwords; choose a less guessable one',
      { constraint: 'isNotCommonPassword' },
      'This password is too common; choose another',
      'Bu parola çok yaygın; başka bir parola seçin',
    ],
    [
      'newPassword',
      'newPassword must be 10 to 128 characters',
      { constraint: 'minLength', min: 10 },
      'Use at least 10 characters',
      'En az 10 karakter kullanın',
    ],
    [
      'newPassword',
      'newPassword must be 10 to 128 characters',
      { constraint: 'maxLength', max: 128 },
      'Use at most 128 characters',
      'En fazla 128 karakter kullanın',
    ],
    [
      'url',
      'url must be a URL address',
      { constraint: 'isUrl' },
      'Enter a valid URL starting with https://',
      'https:// ile başlayan geçerli bir URL girin',
    ],
    [
      'params.prompt',
      'prompt must be longer than or equal to 1 characters',
      { constraint: 'minLength', min: 1 },
      'Describe the scene',
      'Sahneyi tarif edin',
    ],
    [
      'params.prompt',
      'params.prompt is required',
      { constraint: 'isDefined' },
      'Describe the scene',
      'Sahneyi tarif edin',
    ],
  ])('words a refused %s (%s) in English and Turkish', (field, message, rest, en, tr) => {
    const error = new ApiError(400, {
      statusCode: 400,
      code: 'VALIDATION_ERROR',
      error: 'The request is invalid',
      requestId: 'r3',
      details: [{ field, message, ...rest }],
    });
    expect(describeError(error, 'en').fields).toEqual({ [field]: en });
    expect(describeError(error, 'tr').fields).toEqual({ [field]: tr });
  });

  it('says "check this field" for a check it does not know, never the raw text', () => {
    const error = new ApiError(400, {
      statusCode: 400,
      code: 'VALIDATION_ERROR',
      error: 'The request is invalid',
      requestId: 'r4',
      details: [
        { field: 'webhookSecret', message: 'webhookSecret must be magic', constraint: 'isMagic' },
        { field: 'count', message: 'count must not be less than 1', constraint: 'min' },
      ],
    });
    // `min` without its bound (an older API) is not worded with a hole either.
    expect(describeError(error, 'en').fields).toEqual({
      webhookSecret: 'Check this field',
      count: 'Check this field',
    });
    expect(describeError(error, 'tr').fields).toEqual({
      webhookSecret: 'Bu alanı kontrol edin',
      count: 'Bu alanı kontrol edin',
    });
    for (const entry of Object.values(FIELD_MESSAGES)) expect(entry.tr).not.toBe(entry.en);
  });

  it('has a message in both languages for exactly the conflict reasons the API declares', () => {
    const reasons = declaredCodes('ErrorResponseDto', 'reason');
    expect(reasons).toContain('EMAIL_TAKEN');
    expect(Object.keys(CONFLICT_MESSAGES).sort()).toEqual([...reasons].sort());
    for (const reason of reasons) {
      const entry = CONFLICT_MESSAGES[reason as keyof typeof CONFLICT_MESSAGES];
      expect(entry.tr, reason).not.toBe(entry.en);
    }
  });

  it('says which conflict a CONFLICT is when the API names it', () => {
    const conflict = (details?: Record<string, unknown>) =>
      new ApiError(409, {
        statusCode: 409,
        code: 'CONFLICT',
        error: 'An adjustment may not take the balance below what is reserved',
        requestId: 'r5',
        details,
      });
    expect(
      describeError(
        conflict({ reason: 'BELOW_RESERVED', balance: 5, reserved: 4, delta: -3 }),
        'en',
      ).message,
    ).toMatch(/below the credits reserved/);
    expect(describeError(conflict({ reason: 'EMAIL_TAKEN' }), 'tr').message).toBe(
      CONFLICT_MESSAGES.EMAIL_TAKEN.tr,
    );
    expect(describeError(conflict({ reason: 'EMAIL_TAKEN' }), 'en').message).toMatch(
      /account with this email already exists/,
    );
    // No reason (or one this SPA does not know yet): the general conflict message.
    expect(describeError(conflict(), 'en').message).toBe(ERROR_MESSAGES.CONFLICT.en);
    expect(describeError(conflict({ reason: 'SOMETHING_NEW' }), 'tr').message).toBe(
      ERROR_MESSAGES.CONFLICT.tr,
    );
  });
});
