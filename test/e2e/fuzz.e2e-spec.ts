import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { repoRoot } from '@jewelshot/platform';
import { ERROR_CODES } from '../../apps/api/src/http/error-status';
import { startApi, type TestApi } from '../support/app';
import { newAdmin, newUser, type TestUser } from '../support/factories';

/**
 * Property-based fuzzing of every operation in openapi.yaml: requests generated from the
 * documented schemas, then mutated (wrong types, huge numbers, NUL, lone surrogates, deep
 * nesting, unknown fields, huge strings), sent through the real API with a valid token.
 * Never a 5xx; every non-2xx answer has exactly the one error shape.
 * Seeded: FUZZ_SEED replays a run (the seed is printed); FUZZ_RUNS sets the runs per operation.
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  nullable?: boolean;
  allOf?: Schema[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  jsonBody?: Schema;
  multipart: boolean;
}

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);

const spec = parse(readFileSync(join(repoRoot(), 'openapi.yaml'), 'utf8')) as {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }
    >
  >;
  components: { schemas: Record<string, Schema> };
};

function resolve(schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref)
    return resolve(spec.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
  return schema;
}

const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods)
    .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
    .map(([method, op]) => ({
      method,
      path,
      parameters: op.parameters ?? [],
      jsonBody: op.requestBody?.content?.['application/json']?.schema,
      multipart: op.requestBody?.content?.['multipart/form-data'] !== undefined,
    })),
);

/** A value as the schema documents it. */
function valid(raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(raw);
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'date-time')
        return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      return fc.string({
        minLength: schema.minLength ?? 0,
        maxLength: Math.min(schema.maxLength ?? 40, 200),
      });
    case 'integer':
    case 'number':
      return fc.integer({
        min: Math.ceil(schema.minimum ?? -1000),
        max: Math.floor(schema.maximum ?? 1000),
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 3
        ? fc.constant([])
        : fc.array(valid(schema.items, depth + 1), {
            minLength: schema.minItems ?? 0,
            maxLength: Math.min(schema.maxItems ?? 3, 3),
          });
    case 'object':
    default: {
      if (!schema.properties)
        return depth > 3
          ? fc.constant({})
          : fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), {
              maxKeys: 4,
            });
      const properties = schema.properties;
      const entries = Object.entries(properties).map(
        ([key, inner]) => [key, valid(inner, depth + 1)] as const,
      );
      return fc.record(Object.fromEntries(entries), {
        requiredKeys: (schema.required ?? []).filter((key) => key in properties),
      });
    }
  }
}

/** Values chosen to break things: wrong types, huge and odd numbers, NUL, lone surrogates, huge strings. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    '',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '99999999999999999999999999',
    '-9223372036854775809',
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -1e308,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 63,
    0.5,
    -1,
    '1e400',
    'NaN',
    '../../etc/passwd',
    "'; DROP TABLE users; --",
    '%00',
    [],
    {},
    [[[[[[]]]]]],
    { $gt: '' },
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant('x'.repeat(70_000)),
);

/** Path and query values as they travel in a URL: already percent-encoded text. */
const hostileUrlText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00',
    'a%00b',
    '%ED%A0%80',
    '%C0%80',
    '%FF',
    '99999999999999999999999999',
    '-1',
    '0',
    '1e400',
    'NaN',
    '%2e%2e%2f',
    'null',
    'x'.repeat(2000),
  ),
  fc
    .string({ unit: 'binary', maxLength: 20 })
    .map((text) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, 'x'))),
  fc.integer().map(String),
);

interface Request {
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The JSON body as text, so that it may be malformed or deep on purpose. */
  body?: string;
}

function bodyText(operation: Operation): fc.Arbitrary<string | undefined> {
  if (!operation.jsonBody) return fc.constant(undefined);
  const documented = valid(operation.jsonBody) as fc.Arbitrary<Record<string, unknown>>;
  return fc.oneof(
    documented.map((body) => JSON.stringify(body)),
    fc
      .tuple(documented, fc.string({ minLength: 1, maxLength: 12 }), hostileValue)
      .map(([body, key, value]) => {
        const keys = Object.keys(body);
        // Replace a documented field (wrong type, huge number...) or add an unknown one.
        const target =
          keys.length > 0 && value !== undefined
            ? (keys[Math.abs(key.length * 7) % keys.length] ?? key)
            : key;
        return JSON.stringify({ ...body, [target]: value });
      }),
    fc.tuple(documented, fc.integer({ min: 1, max: 2000 })).map(([body, n]) => {
      const extra: Record<string, number> = {};
      for (let i = 0; i < n; i += 1) extra[`unknown${i}`] = i;
      return JSON.stringify({ ...extra, ...body });
    }),
    fc
      .integer({ min: 30, max: 20_000 })
      .map((depth) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`),
    fc.constantFrom(
      '{"a":"\\u0000"}',
      '{"a":"\\ud800"}',
      '{"\\udc00":1}',
      '[1,2',
      'null',
      '[]',
      '"text"',
      '12',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
    ),
    hostileValue.map((value) => JSON.stringify({ value })),
  );
}

function request(operation: Operation): fc.Arbitrary<Request> {
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const headerParams = operation.parameters.filter((p) => p.in === 'header');
  const pathValues = fc.tuple(
    ...pathParams.map((p) =>
      fc.oneof(
        valid(p.schema).map((v) => encodeURIComponent(String(v))),
        fc.uuid(),
        hostileUrlText,
      ),
    ),
  );
  const queryValues = fc.tuple(
    ...queryParams.map((p) =>
      fc.option(
        fc.oneof(
          valid(p.schema).map((v) => encodeURIComponent(String(v))),
          hostileUrlText,
        ),
        { nil: undefined },
      ),
    ),
  );
  const headerValues = fc.tuple(
    ...headerParams.map(() =>
      fc.option(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /^[\x21-\x7e]+$/.test(s)),
          fc.constantFrom('x'.repeat(300), '-', 'a b', '9'.repeat(30)),
        ),
        { nil: undefined },
      ),
    ),
  );
  return fc
    .tuple(pathValues, queryValues, headerValues, bodyText(operation))
    .map(([paths, queries, headers, body]) => {
      let path = operation.path;
      pathParams.forEach((p, i) => {
        path = path.replace(`{${p.name}}`, paths[i] ?? 'x');
      });
      const query: Record<string, string> = {};
      queryParams.forEach((p, i) => {
        const value = queries[i];
        if (value !== undefined) query[p.name] = value;
      });
      const headerMap: Record<string, string> = {};
      headerParams.forEach((p, i) => {
        const value = headers[i];
        if (value !== undefined) headerMap[p.name] = value;
      });
      return { path, query, headers: headerMap, body };
    });
}

const ERROR_KEYS = new Set(['statusCode', 'code', 'error', 'requestId', 'details']);

describe(`fuzz every documented operation (seed ${SEED}, ${RUNS} runs each)`, () => {
  let api: TestApi;
  let user: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    api = await startApi();
    user = await newUser(api, 'fuzz');
    admin = await newAdmin(api);
  });

  afterAll(async () => {
    await api.close();
  });

  it('answers 400, not 500, for the cases the issue names', async () => {
    const auth = (token: string): [string, string] => ['authorization', `Bearer ${token}`];
    const cases: Array<[string, string]> = [
      ['/v1/ai/jobs?cursor=99999999999999999999999', user.accessToken],
      ['/v1/ai/jobs?cursor=-9223372036854775809', user.accessToken],
      ['/v1/batches?cursor=99999999999999999999999', user.accessToken],
      ['/v1/credits/history?cursor=99999999999999999999999', user.accessToken],
      ['/v1/admin/users?cursor=99999999999999999999999', admin.accessToken],
      ['/v1/ai/jobs?limit=99999999999999999999999', user.accessToken],
      ['/v1/ai/jobs?cursor=a%00b', user.accessToken],
      ['/v1/ai/jobs?status=%00', user.accessToken],
      ['/v1/ai/jobs/a%00b', user.accessToken],
      ['/v1/ai/jobs/%ED%A0%80', user.accessToken],
      ['/v1/files/99999999999999999999999/content', user.accessToken],
    ];
    for (const [url, token] of cases) {
      const res = await api
        .http()
        .get(url)
        .set(...auth(token));
      expect([url, res.status]).toEqual([url, 400]);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR' });
    }
    // Unsafe text names its field as the API spells it, with the documented { field, message,
    // constraint } of every validation error.
    for (const [url, field] of [
      ['/v1/ai/jobs?cursor=a%00b', 'cursor'],
      ['/v1/ai/jobs?status=%00', 'status'],
      ['/v1/ai/jobs/a%00b', 'id'],
    ]) {
      const res = await api
        .http()
        .get(url)
        .set(...auth(user.accessToken));
      expect([url, res.body.details]).toEqual([
        url,
        [
          {
            field,
            message: `${field} must not hold a NUL character or a lone UTF-16 surrogate`,
            constraint: 'isWellFormedText',
          },
        ],
      ]);
    }
    const key = await api
      .http()
      .post('/v1/ai/jobs')
      .set(...auth(user.accessToken))
      .set('idempotency-key', 'caf\u00e9-\u00ff')
      .send({ operation: 'generate', params: { prompt: 'ring' } });
    expect(key.status).toBe(400);
  });

  it('covers every operation of openapi.yaml', () => {
    expect(operations.length).toBeGreaterThan(20);
  });

  it.each(
    operations.map(
      (operation) => [`${operation.method.toUpperCase()} ${operation.path}`, operation] as const,
    ),
  )(
    '%s: never a 5xx, always the one error shape',
    async (_name, operation) => {
      const token = operation.path.startsWith('/v1/admin') ? admin.accessToken : user.accessToken;
      await fc.assert(
        fc.asyncProperty(request(operation), fc.boolean(), async (req, multipartAsJson) => {
          const search = Object.entries(req.query)
            .map(([key, value]) => `${key}=${value}`)
            .join('&');
          const url = search ? `${req.path}?${search}` : req.path;
          const method = operation.method as 'get' | 'post' | 'put' | 'patch' | 'delete';
          let call = api
            .http()
            [method](url)
            .set('authorization', `Bearer ${token}`)
            .timeout(10_000);
          for (const [name, value] of Object.entries(req.headers)) call = call.set(name, value);
          if (operation.multipart && !multipartAsJson) {
            call = call.attach('file', Buffer.from(req.body ?? 'not an image'), {
              filename: 'x.png',
              contentType: 'image/png',
            });
          } else if (req.body !== undefined || operation.multipart) {
            call = call.set('content-type', 'application/json').send(req.body ?? '{}');
          }
          const res = await call;
          const context = `${operation.method.toUpperCase()} ${url.slice(0, 200)} body ${String(req.body).slice(0, 200)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
          // /health answers 503 with its own documented report when a dependency (here: the worker) is down.
          if (
            operation.path === '/health' &&
            res.status === 503 &&
            typeof (res.body as { status?: unknown }).status === 'string'
          )
            return;
          if (res.status >= 500) throw new Error(`5xx: ${context}`);
          if (res.status >= 400) {
            const body = res.body as Record<string, unknown>;
            const keys = Object.keys(body);
            if (
              !keys.every((key) => ERROR_KEYS.has(key)) ||
              !['statusCode', 'code', 'error', 'requestId'].every((key) => key in body)
            ) {
              throw new Error(`not the one error shape: ${context}`);
            }
            if (
              body.statusCode !== res.status ||
              !ERROR_CODES.includes(body.code as never) ||
              typeof body.error !== 'string'
            ) {
              throw new Error(`inconsistent error body: ${context}`);
            }
          }
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    },
    60_000,
  );
});
