import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@jewelshot/platform';
import { type ApiConfig } from '../api.config';
import { jsonShapeProblem, type JsonLimits } from './json-shape';

export function jsonLimitsOf(config: ApiConfig): JsonLimits {
  return {
    maxDepth: config.JSON_MAX_DEPTH,
    maxKeys: config.JSON_MAX_KEYS,
    maxMembers: config.JSON_MAX_MEMBERS,
    maxStringLength: config.JSON_MAX_STRING_LENGTH,
  };
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Our own `application/json` parser in place of Fastify's: the body's text is checked against
 * the limits first (depth, members, string length, NUL, lone surrogates: see `jsonShapeProblem`),
 * then handed to Fastify's own parser, which keeps its prototype-poisoning protection.
 * Every refusal is a 400 VALIDATION_ERROR through the one error filter; size stays Fastify's 413.
 */
export function useLimitedJsonParser(app: NestFastifyApplication, config: ApiConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const limits = jsonLimitsOf(config);
  app.useBodyParser(
    'application/json',
    { bodyLimit: config.BODY_LIMIT_BYTES },
    (request: FastifyRequest, body: Buffer, done) => {
      const text = body.toString('utf8');
      const problem = jsonShapeProblem(text, limits);
      if (problem !== null) {
        done(
          new DomainError('VALIDATION_ERROR', `The request body is refused: ${problem}`),
          undefined,
        );
        return;
      }
      parseJson(request, text, (error, parsed) => {
        // Fastify's parser says "not valid JSON" for valid JSON it refuses on purpose too (a
        // `__proto__` or `constructor.prototype` key): the client is told which it was.
        if (error && isValidJson(text)) {
          done(
            new DomainError(
              'VALIDATION_ERROR',
              'The request body is refused: a "__proto__" or "constructor.prototype" key is not allowed',
            ),
            undefined,
          );
          return;
        }
        done(error, parsed);
      });
    },
  );
}
