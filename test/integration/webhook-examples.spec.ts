import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '@jewelshot/platform';
import { OPENAPI_FILE } from '../../scripts/openapi';

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
};

const document = parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
  components: { schemas: Record<string, Schema> };
  webhooks: Record<
    string,
    { post: { requestBody: { content: Record<string, { schema: Schema }> } } }
  >;
};

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const found = document.components.schemas[name];
  if (!found) throw new Error(`no schema ${name}`);
  return resolve(found);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/**
 * What in `value` the schema does not allow, as `path: problem` lines: the subset of JSON Schema
 * the webhook bodies use (types, nullable types, enums, required and known properties, items,
 * oneOf, date-time and uuid formats).
 */
function problems(schema: Schema, value: unknown, path: string): string[] {
  const s = resolve(schema);
  if (s.oneOf) {
    const fits = s.oneOf.filter((option) => problems(option, value, path).length === 0);
    return fits.length === 1 ? [] : [`${path}: fits ${fits.length} of oneOf, not 1`];
  }
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const actual = typeOf(value);
  if (
    types.length > 0 &&
    !types.includes(actual) &&
    !(actual === 'integer' && types.includes('number'))
  )
    return [`${path}: ${actual}, not ${types.join(' | ')}`];
  if (s.enum && !s.enum.includes(value)) return [`${path}: ${String(value)} is not in the enum`];
  if (typeof value === 'string' && s.format === 'date-time' && Number.isNaN(Date.parse(value)))
    return [`${path}: not a date-time`];
  if (
    typeof value === 'string' &&
    s.format === 'uuid' &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(value)
  )
    return [`${path}: not a uuid`];
  if (actual === 'array' && s.items)
    return (value as unknown[]).flatMap((item, i) =>
      problems(s.items as Schema, item, `${path}[${i}]`),
    );
  if (actual === 'object' && (s.properties || s.required)) {
    const object = value as Record<string, unknown>;
    const missing = (s.required ?? []).filter((key) => !(key in object));
    const unknown =
      s.additionalProperties === true
        ? []
        : Object.keys(object).filter((key) => !(key in (s.properties ?? {})));
    return [
      ...missing.map((key) => `${path}.${key}: required, missing`),
      ...unknown.map((key) => `${path}.${key}: not in the schema`),
      ...Object.entries(object).flatMap(([key, item]) => {
        const property = s.properties?.[key];
        return property ? problems(property, item, `${path}.${key}`) : [];
      }),
    ];
  }
  return [];
}

/** The ```json blocks of docs/webhooks.md's "Example bodies". */
function examples(): unknown[] {
  const text = readFileSync(join(repoRoot(), 'docs', 'webhooks.md'), 'utf8');
  const start = text.indexOf('### Example bodies');
  const section = text.slice(start, text.indexOf('\n## ', start));
  return [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((match) =>
    JSON.parse(match[1] ?? ''),
  );
}

/** The body schema the document gives the webhook whose `type` enum holds `type`. */
function schemaOf(type: string): Schema {
  for (const hook of Object.values(document.webhooks)) {
    const body = hook.post.requestBody.content['application/json']?.schema;
    if (!body) continue;
    const resolved = resolve(body);
    if (resolved.properties?.type?.enum?.includes(type)) return resolved;
  }
  throw new Error(`no webhook in openapi.yaml sends ${type}`);
}

describe("docs/webhooks.md's example bodies", () => {
  const bodies = examples() as Array<{ type: string }>;

  it('show every event type an endpoint can receive', () => {
    expect(bodies.length).toBeGreaterThanOrEqual(5);
    expect(new Set(bodies.map((body) => body.type))).toEqual(
      new Set(['job.succeeded', 'job.failed', 'batch.finished', 'credits.low', 'webhook.test']),
    );
  });

  it('are each what the OpenAPI document says that event sends', () => {
    for (const body of bodies)
      expect([body.type, problems(schemaOf(body.type), body, '$')]).toEqual([body.type, []]);
  });

  it('would catch a field the schema does not have, or one it needs that is missing', () => {
    const job = bodies.find((body) => body.type === 'job.succeeded') as {
      type: string;
      data: Record<string, unknown>;
    };
    const { outputs: _outputs, ...withoutOutputs } = job.data;
    expect(problems(schemaOf(job.type), { ...job, data: withoutOutputs }, '$')).toEqual([
      '$.data.outputs: required, missing',
    ]);
    expect(problems(schemaOf(job.type), { ...job, data: { ...job.data, extra: 1 } }, '$')).toEqual([
      '$.data.extra: not in the schema',
    ]);
  });
});
