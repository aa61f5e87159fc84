import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError } from '@jewelshot/platform';

/** NUL, or a UTF-16 surrogate without its partner: PostgreSQL refuses the first, and neither is text. */
const UNSAFE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The name of the first string in `value` (a parsed query, params or form body) holding unsafe
 * text, as the API spells it (`cursor`, `id`, `meta.note`), or null. A name that is itself
 * unsafe is not echoed back: its parent's name stands for it (`where` at the top).
 */
export function unsafeTextIn(value: unknown, where: string, name = '', depth = 0): string | null {
  if (typeof value === 'string') return UNSAFE.test(value) ? name || where : null;
  if (depth > 8 || typeof value !== 'object' || value === null) return null;
  for (const [key, inner] of Object.entries(value)) {
    if (UNSAFE.test(key)) return name || where;
    const found = unsafeTextIn(inner, where, name ? `${name}.${key}` : key, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Refuses NUL and lone surrogates in the query, the path parameters, the Idempotency-Key header
 * and any non-JSON body (JSON is checked by its parser) with 400, before a guard or handler runs:
 * they would otherwise reach PostgreSQL and come back as a 500.
 */
export function refuseUnsafeText(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    // Callback style, not async: no promise per request on every route (docs/perf/).
    .addHook('preValidation', (request, _reply, done) => {
      const found =
        unsafeTextIn(request.query, 'query') ??
        unsafeTextIn(request.params, 'path') ??
        unsafeTextIn(request.headers['idempotency-key'], 'Idempotency-Key') ??
        (request.headers['content-type']?.startsWith('application/json')
          ? null
          : unsafeTextIn(request.body, 'body'));
      if (found === null) {
        done();
        return;
      }
      done(
        new DomainError(
          'VALIDATION_ERROR',
          'The request holds a NUL character or a lone UTF-16 surrogate',
          [
            {
              field: found,
              message: `${found} must not hold a NUL character or a lone UTF-16 surrogate`,
              constraint: 'isWellFormedText',
            },
          ],
        ),
      );
    });
}
