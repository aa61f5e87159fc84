import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DomainError, GoneError, ValidationError } from '@jewelshot/platform';
import Fastify from 'fastify';
import { sendError, toErrorBody } from './error-response';

describe('toErrorBody', () => {
  it('hides everything about an unexpected error behind a generic 500', () => {
    const sqlError = Object.assign(
      new Error('duplicate key value violates unique constraint "users_pkey" SELECT * FROM users'),
      {
        code: '23505',
      },
    );
    const { body, unexpected } = toErrorBody(sqlError, 'req-1');
    expect(unexpected).toBe(true);
    expect(body).toEqual({
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      error: expect.stringContaining('request id'),
      requestId: 'req-1',
    });
    expect(JSON.stringify(body)).not.toMatch(/users|SELECT|23505|at /);
  });

  it('answers a value too long for its column (a length PostgreSQL counts otherwise) with a 400 that quotes nothing', () => {
    const tooLong = Object.assign(
      new Error('value too long for type character varying(100) INSERT INTO api_keys'),
      { driverError: { code: '22001' } },
    );
    const { body, unexpected } = toErrorBody(tooLong, 'req-2');
    expect(unexpected).toBe(false);
    expect(body).toEqual({
      statusCode: 400,
      code: 'VALIDATION_ERROR',
      error: 'A value is longer than its field allows',
      requestId: 'req-2',
    });
  });

  it('keeps a domain error code, message, details and extra fields', () => {
    const { body } = toErrorBody(
      new DomainError('INSUFFICIENT_CREDITS', 'Not enough credits', { needed: 3, available: 1 }),
      'r',
    );
    expect(body).toEqual({
      statusCode: 402,
      code: 'INSUFFICIENT_CREDITS',
      error: 'Not enough credits',
      requestId: 'r',
      details: { needed: 3, available: 1 },
    });
    expect(toErrorBody(new GoneError('Moved', '/v1/ai/jobs'), 'r').body).toMatchObject({
      statusCode: 410,
      code: 'GONE',
      migrateTo: '/v1/ai/jobs',
    });
  });

  it('treats a deliberate 503 (load shed by a full work queue) as an answer, not a fault', () => {
    const { body, unexpected } = toErrorBody(
      new DomainError('SERVICE_UNAVAILABLE', 'Busy, retry shortly', { retryAfterSeconds: 1 }),
      'r',
    );
    expect(body.statusCode).toBe(503);
    expect(unexpected).toBe(false);
    expect(toErrorBody(new DomainError('INTERNAL_ERROR', 'broken'), 'r').unexpected).toBe(true);
  });

  it('cannot let extra fields overwrite the standard ones', () => {
    const error = new DomainError('CONFLICT', 'Clash', undefined, {
      statusCode: 200,
      requestId: 'spoofed',
    });
    expect(toErrorBody(error, 'real').body).toMatchObject({ statusCode: 409, requestId: 'real' });
  });

  it('maps framework exceptions by status', () => {
    expect(toErrorBody(new NotFoundException('Cannot GET /secret/path'), 'r').body).toEqual({
      statusCode: 404,
      code: 'RESOURCE_NOT_FOUND',
      error: 'Resource not found',
      requestId: 'r',
    });
    expect(toErrorBody(new BadRequestException('bad'), 'r').body.code).toBe('VALIDATION_ERROR');
    expect(
      toErrorBody(new ValidationError([{ field: 'a', message: 'b' }]), 'r').body.details,
    ).toEqual([{ field: 'a', message: 'b', constraint: 'invalid' }]);
  });

  it('maps Fastify body errors to 400, 413 and 415', () => {
    const parse = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
    expect(toErrorBody(parse, 'r').body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_ERROR',
    });
    const large = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(toErrorBody(large, 'r').body).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    const media = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 });
    expect(toErrorBody(media, 'r').body).toMatchObject({
      statusCode: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });
});

describe('sendError', () => {
  /** The answer a Fastify server gives when a route sends `exception` through sendError. */
  async function answerTo(exception: unknown, headers: Record<string, string> = {}) {
    const app = Fastify();
    app.get('/', (_request, reply) => {
      void reply.headers(headers);
      sendError(reply, exception, 'req-9');
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/' });
      return { status: response.statusCode, headers: response.headers, body: response.json() };
    } finally {
      await app.close();
    }
  }

  it('says when to retry a 409, 429 or 503 whose details say it, and an outage', async () => {
    for (const [code, status] of [
      ['CONFLICT', 409],
      ['RATE_LIMIT_EXCEEDED', 429],
      ['SERVICE_UNAVAILABLE', 503],
    ] as const) {
      const answer = await answerTo(new DomainError(code, 'later', { retryAfterSeconds: 7 }));
      expect(answer).toMatchObject({
        status,
        headers: { 'retry-after': '7', 'content-type': 'application/json; charset=utf-8' },
        body: { statusCode: status, code, requestId: 'req-9' },
      });
    }
    const outage = await answerTo(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }));
    expect(outage.status).toBe(503);
    expect(Number(outage.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('sends no Retry-After where the status does not mean "later", and names the scheme on a 401', async () => {
    const invalid = await answerTo(
      new DomainError('VALIDATION_ERROR', 'no', { retryAfterSeconds: 7 }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.headers['retry-after']).toBeUndefined();
    expect(invalid.headers['www-authenticate']).toBeUndefined();
    const unauthenticated = await answerTo(new DomainError('UNAUTHORIZED', 'who?'));
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers['www-authenticate']).toBe('Bearer realm="jewelshot"');
    expect(unauthenticated.headers['retry-after']).toBeUndefined();
    // A route that names its own scheme (the metrics scrape) keeps it.
    const scrape = await answerTo(new DomainError('UNAUTHORIZED', 'token'), {
      'www-authenticate': 'Bearer realm="metrics"',
    });
    expect(scrape.headers['www-authenticate']).toBe('Bearer realm="metrics"');
  });
});
