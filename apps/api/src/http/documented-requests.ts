import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { DomainError, ValidationError } from '@jewelshot/platform';
import { declaresBody } from './server-limits';
import { unknownFields } from './validation-pipe';

/** The methods whose body Fastify would parse (it ignores a GET's or a HEAD's). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** What a documented operation takes: its body's media types (none: no body) and query names. */
interface DocumentedRequest {
  /** Undefined for a GET (Fastify reads no body there); empty: the operation takes no body. */
  bodies: ReadonlySet<string> | undefined;
  /** Undefined: any query (the probes and the scrape, whose monitors may add their own). */
  queries: ReadonlySet<string> | undefined;
}

/** Health probes and the metrics scrape: asked by monitors, which may add a cache-buster. */
function operational(route: string): boolean {
  return route === '/health' || route.startsWith('/health/') || route === '/metrics';
}

/** Each operation of an OpenAPI document, keyed as Fastify names its route (`METHOD /url/:id`). */
type DocumentedRequests = ReadonlyMap<string, DocumentedRequest>;

interface DocumentedOperation {
  requestBody?: { content?: Record<string, unknown> };
  parameters?: { in?: string; name?: string }[];
}

function documentedRequests(document: OpenAPIObject): DocumentedRequests {
  const result = new Map<string, DocumentedRequest>();
  for (const [route, item] of Object.entries(document.paths)) {
    const url = route.replace(/\{([^}]+)\}/g, ':$1');
    for (const method of METHODS) {
      const operation = item[method.toLowerCase() as 'post'] as DocumentedOperation | undefined;
      if (!operation) continue;
      const documented: DocumentedRequest = {
        bodies: BODY_METHODS.has(method)
          ? new Set(
              Object.keys(operation.requestBody?.content ?? {}).map((type) => type.toLowerCase()),
            )
          : undefined,
        queries: operational(route)
          ? undefined
          : new Set(
              (operation.parameters ?? []).flatMap((parameter) =>
                parameter.in === 'query' && parameter.name !== undefined ? [parameter.name] : [],
              ),
            ),
      };
      result.set(`${method} ${url}`, documented);
      // Fastify answers a HEAD with its GET's route: the same parameters.
      if (method === 'GET') result.set(`HEAD ${url}`, documented);
    }
  }
  return result;
}

/** `application/json; charset=utf-8` is `application/json`. */
function mediaTypeOf(header: string): string {
  return (header.split(';')[0] ?? '').trim().toLowerCase();
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

const documented = new WeakMap<FastifyInstance, DocumentedRequests>();

/**
 * Makes every documented operation take exactly the bodies and query parameters its OpenAPI
 * document lists, so the document and the server cannot disagree:
 * - a body of another media type (text/plain, multipart/form-data, application/xml on a JSON
 *   route) is 415 UNSUPPORTED_MEDIA_TYPE, and so is a body other than JSON sent to an operation
 *   that takes none (POST /v1/ai/jobs/{id}/cancel), before a byte of it is read; a request
 *   without a body to such an operation is never parsed, even when it names a Content-Type;
 * - a query parameter the operation does not list is 400 VALIDATION_ERROR (`whitelistValidation`,
 *   as an unknown body field is): `GET /v1/webhooks?limit=10` was answered in full, as if the
 *   list had been cut to ten, and a misspelt filter (`?stauts=failed`) listed everything; a
 *   HEAD is held to its GET's parameters; the health probes and the metrics scrape take any
 *   (a monitor may add a cache-buster, Prometheus its `params`).
 * Routes outside the document (the catch-all 404s, the SPA's files) are left alone. Called by
 * bootstrap.ts with the document it serves; the hook is installed once per server, and the last
 * document given is the one enforced.
 */
export function enforceDocumentedRequests(app: INestApplication, document: OpenAPIObject): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const first = !documented.has(fastify);
  documented.set(fastify, documentedRequests(document));
  if (!first) return;
  // Before the body is parsed (and before its size counts): callback style, no promise per request.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const operation = documented
      .get(fastify)
      ?.get(`${request.method} ${request.routeOptions.url ?? ''}`);
    if (operation === undefined) {
      done(null, payload);
      return;
    }
    const { bodies } = operation;
    if (bodies !== undefined) {
      const withBody = declaresBody(request.headers);
      const problem = bodyProblem(bodies, request.headers['content-type'], withBody);
      if (problem !== null) {
        done(new DomainError('UNSUPPORTED_MEDIA_TYPE', problem), payload);
        return;
      }
      // An operation without a body: a Content-Type alone (no body) must not reach a parser.
      if (!withBody && bodies.size === 0) delete request.raw.headers['content-type'];
    }
    const { query } = request;
    const unknown =
      operation.queries === undefined || typeof query !== 'object' || query === null
        ? []
        : unknownFields(operation.queries, query);
    if (unknown.length > 0) {
      done(new ValidationError(unknown), payload);
      return;
    }
    done(null, payload);
  });
}
