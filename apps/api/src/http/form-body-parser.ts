import { parse } from 'node:querystring';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError } from '@jewelshot/platform';
import { type ApiConfig } from '../api.config';

/** True when `text` has more than `max` `&`-separated fields; stops counting at the first breach. */
export function tooManyFields(text: string, max: number): boolean {
  let fields = text.length > 0 ? 1 : 0;
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) {
    fields += 1;
    if (fields > max) return true;
  }
  return false;
}

/**
 * The one route that takes a form: mail clients' one-click unsubscribe (RFC 8058) posts
 * `List-Unsubscribe=One-Click` as one.
 */
export const FORM_ROUTES: ReadonlySet<string> = new Set(['/v1/email/unsubscribe']);

/**
 * Our own `application/x-www-form-urlencoded` parser in place of Nest's default, for the routes
 * in FORM_ROUTES only. Every other route takes JSON, and a form there is 415: a form is what a
 * foreign page can make a browser send without asking (no CORS preflight), so a form accepted
 * by `POST /v1/auth/login` let any site sign its visitor into the site's own account (login
 * CSRF). A form of more than JSON_MAX_KEYS fields is refused before it is split into an object
 * (90,000 fields cost 150 ms of event loop otherwise), and `__proto__` is refused as Nest's
 * default parser does. String contents (NUL, lone surrogates) are checked by the unsafe-text hook.
 */
export function useLimitedFormParser(app: NestFastifyApplication, config: ApiConfig): void {
  app.useBodyParser(
    'application/x-www-form-urlencoded',
    { bodyLimit: config.BODY_LIMIT_BYTES },
    (request, body: Buffer, done) => {
      if (!FORM_ROUTES.has(request.routeOptions.url ?? '')) {
        done(
          new DomainError('UNSUPPORTED_MEDIA_TYPE', 'This endpoint takes application/json'),
          undefined,
        );
        return;
      }
      const text = body.toString('utf8');
      if (tooManyFields(text, config.JSON_MAX_KEYS)) {
        done(
          new DomainError(
            'VALIDATION_ERROR',
            `The request body is refused: more than ${config.JSON_MAX_KEYS} fields`,
          ),
          undefined,
        );
        return;
      }
      const parsed = parse(text, '&', '=', { maxKeys: 0 });
      if (Object.hasOwn(parsed, '__proto__')) {
        done(
          new DomainError('VALIDATION_ERROR', 'The request body is refused: it names __proto__'),
          undefined,
        );
        return;
      }
      done(null, { ...parsed });
    },
  );
}
