import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '@jewelshot/platform';

/** The methods whose body Fastify would parse (it ignores a GET's or a HEAD's). */
const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * What each documented operation takes as its body, by `METHOD /fastify/:url`: the media types
 * of its requestBody, or none (an empty set: the operation takes no body).
 */
type DocumentedBodies = ReadonlyMap<string, ReadonlySet<string>>;

/** The body types of every operation of an OpenAPI document, keyed as Fastify names the route. */
function documentedBodies(document: OpenAPIObject): DocumentedBodies {
  const result = new Map<string, ReadonlySet<string>>();
  for (const [route, item] of Object.entries(document.paths)) {
    const url = route.replace(/\{([^}]+)\}/g, ':$1');
    for (const method of BODY_METHODS) {
      const operation = item[method.toLowerCase() as 'post'] as
        { requestBody?: { content?: Record<string, unknown> } } | undefined;
      if (!operation) continue;
      result.set(
        `${method} ${url}`,
        new Set(
          Object.keys(operation.requestBody?.content ?? {}).map((type) => type.toLowerCase()),
        ),
      );
    }
  }
  return result;
}

/** `application/json; charset=utf-8` is `application/json`. */
function mediaTypeOf(header: string): string {
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

/** Whether the request carries a body (HTTP/1.1 framing: a length above 0, or chunks). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

/**
 * Why a request's body does not fit its operation, or null. `types` empty: the operation takes
 * no body; a JSON one is read (within the body limit) and ignored, since many clients send `{}`
 * with every POST, and any other type is refused. Otherwise the Content-Type must be one of
 * `types`.
 */
function bodyProblem(
  types: ReadonlySet<string>,
  contentType: string | undefined,
  withBody: boolean,
): string | null {
  if (!withBody) return null;
  const type = contentType === undefined ? undefined : mediaTypeOf(contentType);
  if (types.size === 0)
    return type === 'application/json'
      ? null
      : 'This endpoint takes no request body (a JSON one is ignored)';
  if (type !== undefined && types.has(type)) return null;
  return `This endpoint takes ${[...types].join(' or ')}`;
}

const documented = new WeakMap<FastifyInstance, DocumentedBodies>();

/**
 * Makes every documented operation take exactly the bodies its OpenAPI requestBody lists, so
 * the document and the server cannot disagree: a body of another media type (text/plain,
 * multipart/form-data, application/xml on a JSON route) is 415 UNSUPPORTED_MEDIA_TYPE, and so
 * is a body other than JSON sent to an operation that takes none (POST /v1/ai/jobs/{id}/cancel),
 * before a byte of it is read. A request without a body to such an operation is never parsed,
 * even when it names a Content-Type. Routes outside the document (the catch-all 404s) are left
 * alone. Called by bootstrap.ts with the document it serves; the hook is installed once per
 * server, and the last document given is the one enforced.
 */
export function enforceDocumentedBodies(app: INestApplication, document: OpenAPIObject): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const first = !documented.has(fastify);
  documented.set(fastify, documentedBodies(document));
  if (!first) return;
  // Before the body is parsed (and before its size counts): callback style, no promise per request.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const types = documented
      .get(fastify)
      ?.get(`${request.method} ${request.routeOptions.url ?? ''}`);
    if (types === undefined) {
      done(null, payload);
      return;
    }
    const withBody = hasBody(request);
    const problem = bodyProblem(types, request.headers['content-type'], withBody);
    if (problem !== null) {
      done(new DomainError('UNSUPPORTED_MEDIA_TYPE', problem), payload);
      return;
    }
    // An operation without a body: a Content-Type alone (no body) must not reach a parser.
    if (!withBody && types.size === 0) delete request.raw.headers['content-type'];
    done(null, payload);
  });
}
