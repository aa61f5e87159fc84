import { RequestMethod, type INestApplication } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { loadApiConfig } from '../../apps/api/src/api.config';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { buildOpenApiDocument } from '../../apps/api/src/openapi/openapi';
import {
  rewrittenBeforeValidation,
  routeArgumentsByOperation,
} from '../../apps/api/src/openapi/validation-schema';

/**
 * The document may never allow a request the server refuses: every validator the global
 * ValidationPipe runs on a body or query DTO must show in the operation's schema. The checks
 * below read class-validator's metadata themselves and say, validator by validator, what the
 * schema must hold; a validator they do not know fails the test (map it, in
 * apps/api/src/openapi/validation-schema.ts and here).
 */

type Schema = Record<string, unknown> & {
  type?: unknown;
  items?: Schema;
  required?: string[];
  properties?: Record<string, Schema>;
  enum?: unknown[];
};
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
}
interface Response {
  description: string;
  headers?: Record<string, unknown>;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, Response>;
  security?: Array<Record<string, string[]>>;
}
interface Metadata {
  name?: string;
  type: string;
  propertyName: string;
  constraints?: unknown[];
  each?: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const typeOf = (schema: Schema) =>
  Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null') : [schema.type];

/** What one validator requires of the schema of the value it validates; null when it holds. */
function problem(metadata: Metadata, schema: Schema, rewritten: boolean): string | null {
  const [a, b] = metadata.constraints ?? [];
  const types = typeOf(schema);
  const is = (ok: boolean, want: string) => (ok ? null : want);
  // A @ValidateIf() (e.g. @PresentOrAbsent()) has no name, only its type: it may be left out.
  switch (metadata.name ?? metadata.type) {
    case 'isString':
      return is(types.includes('string'), 'type string');
    case 'isInt':
      return is(types.includes('integer') && !types.includes('number'), 'type integer');
    case 'isNumber':
      return is(types.includes('number') || types.includes('integer'), 'type number');
    case 'isBoolean':
      return is(types.includes('boolean'), 'type boolean');
    case 'isArray':
      return is(types.includes('array'), 'type array');
    case 'isObject':
      return is(types.includes('object'), 'type object');
    case 'isDate':
      return is(types.includes('string') && schema.format === 'date-time', 'date-time');
    case 'min':
      return is(typeof schema.minimum === 'number' && schema.minimum >= (a as number), `min ${a}`);
    case 'max':
      return is(typeof schema.maximum === 'number' && schema.maximum <= (a as number), `max ${a}`);
    case 'isLength':
      return is(
        (schema.minLength as number) >= (a as number) &&
          (b === undefined || (schema.maxLength as number) <= (b as number)),
        `length ${a}-${b}`,
      );
    case 'minLength':
      return is((schema.minLength as number) >= (a as number), `minLength ${a}`);
    case 'maxLength':
      return is((schema.maxLength as number) <= (a as number), `maxLength ${a}`);
    case 'isNotEmpty':
      return is(!types.includes('string') || (schema.minLength as number) >= 1, 'minLength 1');
    case 'matches': {
      // A value rewritten before validation (trimmed, normalised) is matched as rewritten:
      // a pattern on the value as sent would refuse what the server accepts.
      if (rewritten) return null;
      return is(schema.pattern === (a as RegExp).source, `pattern ${String(a)}`);
    }
    case 'isEmail':
      return is(schema.format === 'email', 'format email');
    case 'isUrl':
      return is(schema.format === 'uri', 'format uri');
    case 'isUuid': {
      if (schema.format !== 'uuid') return 'format uuid';
      if (a === undefined || a === 'all') return null;
      // A versioned uuid: the pattern must refuse another version, as the server does.
      const pattern = new RegExp(String(schema.pattern));
      const v = (version: string) => `3f1c2a4e-9b7d-${version}a2b-8c4d-1e2f3a4b5c6d`;
      return is(
        pattern.test(v(`${a as string}`)) && !pattern.test(v(a === '4' ? '1' : '4')),
        `uuid v${a as string} pattern`,
      );
    }
    case 'isIn':
      return is(
        JSON.stringify([...(schema.enum ?? [])].sort()) ===
          JSON.stringify([...(a as unknown[])].sort()),
        `enum ${JSON.stringify(a)}`,
      );
    case 'notEquals':
      return is((schema.not as { const?: unknown } | undefined)?.const === a, `not ${a}`);
    case 'arrayMinSize':
      return is((schema.minItems as number) >= (a as number), `minItems ${a}`);
    case 'arrayMaxSize':
      return is((schema.maxItems as number) <= (a as number), `maxItems ${a}`);
    case 'arrayUnique':
      return is(schema.uniqueItems === true, 'uniqueItems');
    case 'isOptional':
    case 'conditionalValidation': // @ValidateIf(), e.g. @PresentOrAbsent(): may be left out
      return null; // checked as `required` below
    case 'minDate':
    case 'maxDate':
      return null; // JSON Schema has no date bounds
    default:
      return `a validator the strictness test does not know: ${metadata.name ?? metadata.type}`;
  }
}

/** Every mismatch between `type`'s validators and the schema `schemaOf` finds for a property. */
function mismatches(
  type: abstract new (...args: never[]) => unknown,
  schemaOf: (property: string) => { schema: Schema | undefined; required: boolean },
): string[] {
  const found: string[] = [];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(
    type,
    '',
    false,
    false,
  ) as Metadata[];
  for (const property of new Set(metadata.map((m) => m.propertyName))) {
    const own = metadata.filter((m) => m.propertyName === property);
    const { schema, required } = schemaOf(property);
    const where = `${type.name}.${property}`;
    if (!schema) {
      found.push(`${where}: not documented`);
      continue;
    }
    const optional = own.some((m) => m.name === 'isOptional' || m.type === 'conditionalValidation');
    if (required === optional) found.push(`${where}: required must be ${!optional}`);
    const rewritten = rewrittenBeforeValidation(type, property);
    for (const m of own) {
      const target = m.each ? schema.items : schema;
      const wrong = target ? problem(m, target, rewritten) : 'no items schema';
      if (wrong) found.push(`${where}: ${m.name ?? m.type}${m.each ? ' (each)' : ''}: ${wrong}`);
    }
  }
  return found;
}

describe('the OpenAPI document is as strict as the server', () => {
  let app: INestApplication;
  let document: OpenAPIObject;
  const operations: Array<{ route: string; method: string; operation: Operation }> = [];
  const schemas = () => document.components?.schemas as Record<string, Schema>;
  const operation = (method: string, route: string) => {
    const found = operations.find((o) => o.method === method && o.route === route);
    if (!found) throw new Error(`no ${method} ${route}`);
    return found.operation;
  };
  const queryParameter = (method: string, route: string, name: string) =>
    operation(method, route).parameters?.find((p) => p.in === 'query' && p.name === name)?.schema;

  beforeAll(async () => {
    app = await createApiApp(loadApiConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent' }), {
      preview: true,
    });
    document = buildOpenApiDocument(app);
    for (const [route, item] of Object.entries(document.paths))
      for (const method of METHODS) {
        const found = item[method] as Operation | undefined;
        if (found) operations.push({ route, method, operation: found });
      }
  });

  afterAll(async () => {
    await app.close();
  });

  it('carries every validator of every request body and query DTO, and path parameter pipe', () => {
    const routes = routeArgumentsByOperation(app);
    const found: string[] = [];
    let bodies = 0;
    let queries = 0;
    for (const { route, method, operation: op } of operations) {
      const args = routes.get(op.operationId);
      if (!args) {
        found.push(`${method} ${route}: no controller method found for ${op.operationId}`);
        continue;
      }
      const json = op.requestBody?.content['application/json']?.schema.$ref;
      for (const arg of args) {
        if (typeof arg.type !== 'function' || arg.name !== undefined) continue;
        const type = arg.type as abstract new (...args: never[]) => unknown;
        if (arg.location === 'body') {
          expect({ route, ref: json }).toEqual({
            route,
            ref: `#/components/schemas/${type.name}`,
          });
          const schema = schemas()[type.name];
          bodies += 1;
          found.push(
            ...mismatches(type, (property) => ({
              schema: schema?.properties?.[property],
              required: (schema?.required ?? []).includes(property),
            })),
          );
        } else if (arg.location === 'query') {
          queries += 1;
          found.push(
            ...mismatches(type, (property) => {
              const parameter = op.parameters?.find((p) => p.in === 'query' && p.name === property);
              return { schema: parameter?.schema, required: parameter?.required === true };
            }),
          );
        }
      }
    }
    expect(found).toEqual([]);
    expect(bodies).toBeGreaterThan(20);
    expect(queries).toBeGreaterThan(10);
  });

  it('documents no body property the server would refuse as unknown', () => {
    const routes = routeArgumentsByOperation(app);
    const found: string[] = [];
    for (const { operation: op } of operations) {
      for (const arg of routes.get(op.operationId) ?? []) {
        if (arg.location !== 'body' || typeof arg.type !== 'function') continue;
        const type = arg.type as abstract new (...args: never[]) => unknown;
        const validated = new Set(
          getMetadataStorage()
            .getTargetValidationMetadatas(type, '', false, false)
            .map((m) => m.propertyName),
        );
        if (validated.size === 0) continue;
        for (const property of Object.keys(schemas()[type.name]?.properties ?? {}))
          if (!validated.has(property)) found.push(`${type.name}.${property}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('says what the probe found missing', () => {
    const s = schemas();
    // Every list's limit is an integer.
    for (const { route, operation: op } of operations) {
      const limit = op.parameters?.find((p) => p.in === 'query' && p.name === 'limit');
      if (limit) expect({ route, type: limit.schema.type }).toEqual({ route, type: 'integer' });
    }
    expect(s.AdjustCreditsDto?.properties?.delta).toMatchObject({
      type: 'integer',
      minimum: -1_000_000,
      maximum: 1_000_000,
      not: { const: 0 },
    });
    const reference = new RegExp(String(s.AdjustCreditsDto?.properties?.reference?.pattern));
    expect(reference.test('order:2024-01.a_b')).toBe(true);
    expect(reference.test('has space')).toBe(false);
    expect(reference.test('x'.repeat(101))).toBe(false);
    expect(s.SetPriceDto?.properties?.credits).toMatchObject({ type: 'integer', minimum: 1 });
    for (const dto of ['RegisterDto', 'LoginDto', 'PasswordResetRequestDto'])
      expect(s[dto]?.properties?.email).toMatchObject({ format: 'email', maxLength: 254 });
    expect(s.LoginDto?.properties?.password).toMatchObject({ minLength: 1, maxLength: 128 });
    expect(s.VerifyEmailDto?.properties?.token).toMatchObject({ minLength: 1, maxLength: 200 });
    expect(s.PasswordResetConfirmDto?.properties?.token).toMatchObject({ minLength: 1 });
    expect(s.CreateApiKeyDto?.properties?.name).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(s.CreateBatchDto?.properties?.name).toMatchObject({ minLength: 1, maxLength: 200 });
    expect(s.CreateBatchDto?.properties?.inputImageIds?.items).toMatchObject({ format: 'uuid' });
    for (const dto of ['CreateWebhookDto', 'UpdateWebhookDto']) {
      expect(s[dto]?.properties?.url).toMatchObject({ format: 'uri', maxLength: 2048 });
      expect(s[dto]?.properties?.events).toMatchObject({ uniqueItems: true, minItems: 1 });
    }
    expect(queryParameter('get', '/v1/admin/users', 'email')).toMatchObject({ maxLength: 254 });
    expect(queryParameter('get', '/v1/admin/audit', 'action')).toMatchObject({ maxLength: 64 });
    expect(queryParameter('get', '/v1/admin/audit', 'targetId')).toMatchObject({ maxLength: 64 });
    // Query DTO fields with no @ApiProperty are documented all the same.
    expect(queryParameter('get', '/v1/files/{id}/content', 'sig')).toMatchObject({
      type: 'string',
      maxLength: 100,
    });
    // Path parameters parsed by a pipe.
    const userId = operation('post', '/v1/admin/users/{userId}/ban').parameters?.find(
      (p) => p.in === 'path',
    );
    expect(userId?.schema).toMatchObject({ type: 'string', format: 'uuid' });
    expect(
      operation('get', '/v1/admin/audit/{seq}').parameters?.find((p) => p.in === 'path')?.schema,
    ).toMatchObject({ type: 'integer' });
  });

  it('gives the Idempotency-Key header the rule the server checks, and declares Idempotent-Replayed', () => {
    const keyed = operations.filter(({ operation: op }) =>
      op.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'),
    );
    expect(keyed.map(({ operation: op }) => op.operationId).sort()).toEqual([
      'Batches_create',
      'Jobs_submit',
      'Uploads_upload',
    ]);
    for (const { operation: op } of keyed) {
      const header = op.parameters?.find((p) => p.name === 'Idempotency-Key');
      expect(header?.schema).toMatchObject({ type: 'string', minLength: 1, maxLength: 255 });
      const pattern = new RegExp(String(header?.schema.pattern));
      expect(pattern.test('order-42:a/b~!')).toBe(true);
      expect(pattern.test('has space')).toBe(false);
      expect(pattern.test('é')).toBe(false);
      expect(pattern.test('k'.repeat(256))).toBe(false);
      const successes = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect(successes.length).toBeGreaterThan(0);
      for (const [status, response] of successes)
        expect({ status, header: response.headers?.['Idempotent-Replayed'] }).toEqual({
          status,
          header: { $ref: '#/components/headers/Idempotent-Replayed' },
        });
    }
    expect(document.components?.headers?.['Idempotent-Replayed']).toMatchObject({
      schema: { type: 'string', enum: ['true'] },
    });
  });

  it('lists ACCOUNT_BANNED under 403 on every authenticated operation', () => {
    const missing: string[] = [];
    let secured = 0;
    for (const { route, method, operation: op } of operations) {
      if ((op.security ?? []).length === 0) continue;
      secured += 1;
      const codes = op.responses['403']?.description.split(' | ') ?? [];
      if (!codes.includes('ACCOUNT_BANNED') || !codes.includes('FORBIDDEN'))
        missing.push(`${method} ${route}`);
      const scoped = op.security?.some((s) => 'apiKey' in s);
      if (scoped && !codes.includes('INSUFFICIENT_SCOPE')) missing.push(`${method} ${route} scope`);
    }
    expect(missing).toEqual([]);
    expect(secured).toBeGreaterThan(50);
  });

  it("documents each operation's success status as its handler answers it (@HttpCode, else 201 for POST)", () => {
    const byId = new Map(operations.map((o) => [o.operation.operationId, o]));
    const wrong: string[] = [];
    let checked = 0;
    for (const module of app.get(ModulesContainer).values())
      for (const { metatype } of module.controllers.values()) {
        if (typeof metatype !== 'function') continue;
        const prototype = metatype.prototype as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(prototype)) {
          const handler = prototype[name];
          if (typeof handler !== 'function' || name === 'constructor') continue;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          const documented = byId.get(`${metatype.name.replace(/Controller$/, '')}_${name}`);
          if (method === undefined || !documented) continue;
          const status =
            (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
            (method === RequestMethod.POST ? 201 : 200);
          const successes = Object.keys(documented.operation.responses).filter((code) =>
            code.startsWith('2'),
          );
          checked += 1;
          if (!successes.includes(String(status)))
            wrong.push(
              `${documented.method} ${documented.route}: answers ${status}, documents ${successes.join(', ')}`,
            );
        }
      }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('documents the refusals every request may get: 400, 408, 431, and 415 on bodies', () => {
    const missing: string[] = [];
    for (const { route, method, operation: op } of operations) {
      const statuses = Object.keys(op.responses);
      const want = ['400', '408', '431'];
      if (method !== 'get') want.push('415');
      if (op.requestBody) want.push('413');
      for (const status of want)
        if (!statuses.includes(status)) missing.push(`${method} ${route} ${status}`);
    }
    expect(missing).toEqual([]);
    // The form route takes its form (RFC 8058), in both encodings a mail client may use.
    expect(
      Object.keys(operation('post', '/v1/email/unsubscribe').requestBody?.content ?? {}).sort(),
    ).toEqual(['application/x-www-form-urlencoded', 'multipart/form-data']);
  });
});
