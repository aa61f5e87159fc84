import { createRequire } from 'node:module';
import { ParseIntPipe, ParseUUIDPipe, type INestApplication } from '@nestjs/common';
// The same two metadata keys @nestjs/swagger reads the route arguments with.
import { PARAMTYPES_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { TransformationType } from 'class-transformer';
import {
  ARRAY_MAX_SIZE,
  ARRAY_MIN_SIZE,
  ARRAY_UNIQUE,
  EQUALS,
  getMetadataStorage,
  IS_ARRAY,
  IS_BOOLEAN,
  IS_DATE,
  IS_EMAIL,
  IS_IN,
  IS_INT,
  IS_LENGTH,
  IS_NOT_EMPTY,
  IS_NUMBER,
  IS_OBJECT,
  IS_OPTIONAL,
  IS_STRING,
  IS_URL,
  IS_UUID,
  MATCHES,
  MAX,
  MAX_LENGTH,
  MIN,
  MIN_LENGTH,
  NOT_EQUALS,
} from 'class-validator';

/**
 * Request schemas derived from the validators themselves: whatever the global ValidationPipe
 * enforces on a body or a query DTO (class-validator's metadata, the very list it validates
 * with) is written into the operation's schema when the document is built, so the schema can
 * never allow what the server refuses. `@ApiProperty` keeps the descriptions and examples;
 * the constraints come from here and win over it.
 */

type Schema = Record<string, unknown>;
type Class = abstract new (...args: never[]) => unknown;

/** The part of class-validator's ValidationMetadata read here (it is not exported by name). */
interface ValidatorMetadata {
  type: string;
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  each?: boolean;
}

// class-transformer exports its metadata storage only from an untyped deep path.
const transformStorage = (
  createRequire(__filename)('class-transformer/cjs/storage') as {
    defaultMetadataStorage: {
      findTransformMetadatas(target: Class, property: string, type: TransformationType): unknown[];
    };
  }
).defaultMetadataStorage;

/** The validators the ValidationPipe runs on `type` (inherited ones included), as it finds them. */
function validatorsOf(type: Class): ValidatorMetadata[] {
  return getMetadataStorage().getTargetValidationMetadatas(
    type,
    '',
    false,
    false,
  ) as ValidatorMetadata[];
}

/** True when class-transformer rewrites the property (trims, normalises) before it is validated. */
export function rewrittenBeforeValidation(type: Class, property: string): boolean {
  return (
    transformStorage.findTransformMetadatas(type, property, TransformationType.PLAIN_TO_CLASS)
      .length > 0
  );
}

const raise = (schema: Schema, key: string, value: number) => {
  const current = schema[key];
  schema[key] = typeof current === 'number' ? Math.max(current, value) : value;
};
const lower = (schema: Schema, key: string, value: number) => {
  const current = schema[key];
  schema[key] = typeof current === 'number' ? Math.min(current, value) : value;
};
const string = (schema: Schema) => {
  schema.type ??= 'string';
};

const HEX = '[0-9A-Fa-f]';

/**
 * A uuid as validator.js's isUUID checks it: any RFC 9562 uuid (`format: uuid`), or one of a
 * given version (class-validator's and ParseUUIDPipe's `'4'`), which needs a pattern too.
 */
function uuidSchema(version: unknown): Schema {
  const schema: Schema = { type: 'string', format: 'uuid' };
  const digit = typeof version === 'number' ? String(version) : version;
  if (typeof digit === 'string' && /^[1-8]$/.test(digit))
    schema.pattern = `^${HEX}{8}-${HEX}{4}-${digit}${HEX}{3}-[89ABab]${HEX}{3}-${HEX}{12}$`;
  return schema;
}

interface Context {
  /** The value is rewritten before validation: a pattern would judge the value as sent, not as checked. */
  rewritten: boolean;
}

/**
 * What each validator means in JSON Schema. A validator missing here adds nothing to the
 * schema; the strictness test (test/integration/openapi-strictness.spec.ts) fails on it, so a
 * new one gets mapped here. minDate/maxDate have no keyword (JSON Schema has no date bounds).
 */
const KEYWORDS: Record<string, (constraints: unknown[], schema: Schema, context: Context) => void> =
  {
    [IS_STRING]: (_, schema) => void (schema.type = 'string'),
    [IS_INT]: (_, schema) => void (schema.type = 'integer'),
    [IS_NUMBER]: (_, schema) => void (schema.type = 'number'),
    [IS_BOOLEAN]: (_, schema) => void (schema.type = 'boolean'),
    [IS_ARRAY]: (_, schema) => void (schema.type = 'array'),
    [IS_OBJECT]: (_, schema) => void (schema.type = 'object'),
    [IS_DATE]: (_, schema) => {
      schema.type = 'string';
      schema.format = 'date-time';
    },
    [MIN]: ([value], schema) => raise(schema, 'minimum', value as number),
    [MAX]: ([value], schema) => lower(schema, 'maximum', value as number),
    [IS_LENGTH]: ([min, max], schema) => {
      string(schema);
      raise(schema, 'minLength', min as number);
      if (typeof max === 'number') lower(schema, 'maxLength', max);
    },
    [MIN_LENGTH]: ([min], schema) => {
      string(schema);
      raise(schema, 'minLength', min as number);
    },
    [MAX_LENGTH]: ([max], schema) => {
      string(schema);
      lower(schema, 'maxLength', max as number);
    },
    [IS_NOT_EMPTY]: (_, schema) => {
      if (schema.type === 'string') raise(schema, 'minLength', 1);
    },
    [MATCHES]: ([pattern, modifiers], schema, { rewritten }) => {
      string(schema);
      const regex =
        pattern instanceof RegExp ? pattern : new RegExp(String(pattern), modifiers as string);
      // JSON Schema has no flags: an `i` or `m` pattern cannot be said as one.
      if (rewritten || /[imsy]/.test(regex.flags)) return;
      schema.pattern = regex.source;
    },
    [IS_EMAIL]: (_, schema) => {
      string(schema);
      schema.format = 'email';
    },
    [IS_UUID]: ([version], schema) => merge(schema, uuidSchema(version)),
    [IS_URL]: (_, schema) => {
      string(schema);
      schema.format = 'uri';
    },
    [IS_IN]: ([values], schema) => void (schema.enum = [...(values as unknown[])]),
    [NOT_EQUALS]: ([value], schema) => void (schema.not = { const: value }),
    [EQUALS]: ([value], schema) => void (schema.const = value),
    [ARRAY_MIN_SIZE]: ([min], schema) => raise(schema, 'minItems', min as number),
    [ARRAY_MAX_SIZE]: ([max], schema) => lower(schema, 'maxItems', max as number),
    [ARRAY_UNIQUE]: (_, schema) => void (schema.uniqueItems = true),
  };

/** The property's schema as its validators define it, and whether it may be left out. */
interface PropertyConstraints {
  schema: Schema;
  optional: boolean;
}

/** The JSON Schema each validated property of `type` must satisfy, by property name. */
function constraintsOf(type: Class): Map<string, PropertyConstraints> {
  const byProperty = new Map<string, ValidatorMetadata[]>();
  for (const metadata of validatorsOf(type))
    byProperty.set(metadata.propertyName, [
      ...(byProperty.get(metadata.propertyName) ?? []),
      metadata,
    ]);
  const result = new Map<string, PropertyConstraints>();
  for (const [property, list] of byProperty) {
    const context = { rewritten: rewrittenBeforeValidation(type, property) };
    const schema: Schema = {};
    let optional = false;
    // Type-setting validators first, so the others know what they constrain.
    const ordered = [...list].sort((a, b) => rank(a) - rank(b));
    for (const metadata of ordered) {
      // @IsOptional(), or a @ValidateIf() such as @PresentOrAbsent(): the field may be left out.
      if (metadata.name === IS_OPTIONAL || metadata.type === 'conditionalValidation') {
        optional = true;
        continue;
      }
      const keyword = KEYWORDS[metadata.name ?? ''];
      if (!keyword) continue;
      const target = metadata.each ? ((schema.items ??= {}) as Schema) : schema;
      keyword(metadata.constraints ?? [], target, context);
    }
    if (schema.items !== undefined) schema.type ??= 'array';
    result.set(property, { schema, optional });
  }
  return result;
}

const TYPES = new Set([IS_STRING, IS_INT, IS_NUMBER, IS_BOOLEAN, IS_ARRAY, IS_OBJECT, IS_DATE]);
const rank = (metadata: ValidatorMetadata) => (TYPES.has(metadata.name ?? '') ? 0 : 1);

/** Writes `constraints` over `target` (a property's or a parameter's schema); a `null` type is kept. */
function merge(target: Schema, constraints: Schema): void {
  for (const [key, value] of Object.entries(constraints)) {
    if (key === 'items') {
      const items = (target.items ??= {}) as Schema;
      if (typeof items.$ref !== 'string') merge(items, value as Schema);
      continue;
    }
    if (key === 'type' && Array.isArray(target.type) && target.type.includes('null')) {
      target.type = [value, 'null'];
      continue;
    }
    target[key] = value;
  }
}

/** A route argument as Nest records it: where it comes from, its name, its declared type and pipes. */
export interface RouteArgument {
  location: 'body' | 'query' | 'path' | 'header';
  name: string | undefined;
  type: unknown;
  pipes: unknown[];
}

const LOCATIONS: Partial<Record<number, RouteArgument['location']>> = {
  [RouteParamtypes.BODY]: 'body',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.PARAM]: 'path',
  [RouteParamtypes.HEADERS]: 'header',
};

/**
 * The route arguments of every controller method, by operationId (`Controller_method` without
 * "Controller", as buildOpenApiDocument names operations).
 */
export function routeArgumentsByOperation(app: INestApplication): Map<string, RouteArgument[]> {
  const result = new Map<string, RouteArgument[]>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (typeof controller !== 'function') continue;
      const prefix = controller.name.replace(/Controller$/, '');
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        if (method === 'constructor') continue;
        // A handler without arguments has none recorded.
        const recorded = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ??
          {}) as Record<string, { index: number; data?: unknown; pipes?: unknown[] }>;
        const types = (Reflect.getMetadata(PARAMTYPES_METADATA, controller.prototype, method) ??
          []) as unknown[];
        const args: RouteArgument[] = [];
        for (const [key, argument] of Object.entries(recorded)) {
          const location = LOCATIONS[Number(key.split(':')[0])];
          if (!location) continue;
          args.push({
            location,
            name: typeof argument.data === 'string' ? argument.data : undefined,
            type: types[argument.index],
            pipes: argument.pipes ?? [],
          });
        }
        result.set(`${prefix}_${method}`, args);
      }
    }
  }
  return result;
}

/** A class the ValidationPipe validates (a DTO with at least one validator). */
function isValidatedClass(type: unknown): type is Class {
  return typeof type === 'function' && validatorsOf(type as Class).length > 0;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function applyToBodySchema(schema: Schema, type: Class): void {
  const properties = (schema.properties ??= {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [property, { schema: constraints, optional }] of constraintsOf(type)) {
    const target = (properties[property] ??= {});
    if (typeof target.$ref !== 'string' && !Array.isArray(target.allOf)) merge(target, constraints);
    if (optional) required.delete(property);
    else required.add(property);
  }
  if (required.size > 0) schema.required = [...required];
  else delete schema.required;
}

function applyToQuery(operation: Operation, type: Class): void {
  const parameters = (operation.parameters ??= []);
  for (const [property, { schema: constraints, optional }] of constraintsOf(type)) {
    let parameter = parameters.find((p) => p.in === 'query' && p.name === property);
    if (!parameter) {
      parameter = { name: property, in: 'query', required: !optional, schema: {} };
      parameters.push(parameter);
    }
    parameter.required = !optional;
    merge((parameter.schema ??= {}), constraints);
  }
}

const hasPipe = (pipes: unknown[], pipe: abstract new (...args: never[]) => unknown) =>
  pipes.some((p) => p === pipe || p instanceof pipe);

/** The version a ParseUUIDPipe was made for (it keeps it in a protected field). */
const pipeVersion = (pipe: ParseUUIDPipe): unknown =>
  (pipe as unknown as { version?: unknown }).version;

function applyToPath(operation: Operation, argument: RouteArgument): void {
  const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === argument.name);
  if (!parameter) return;
  const schema = (parameter.schema ??= {});
  const uuid = argument.pipes.find(
    (pipe) => pipe === ParseUUIDPipe || pipe instanceof ParseUUIDPipe,
  );
  if (uuid !== undefined)
    merge(schema, uuidSchema(uuid instanceof ParseUUIDPipe ? pipeVersion(uuid) : undefined));
  if (hasPipe(argument.pipes, ParseIntPipe)) merge(schema, { type: 'integer' });
}

/**
 * Writes the validators' constraints into every request body schema (the component the body
 * refers to), every query parameter of a query DTO (adding the ones `@ApiProperty` left out),
 * and every path parameter parsed by ParseUUIDPipe or ParseIntPipe.
 */
export function applyValidationConstraints(app: INestApplication, document: OpenAPIObject): void {
  const routes = routeArgumentsByOperation(app);
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const done = new Set<Class>();
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      const args = operation?.operationId ? routes.get(operation.operationId) : undefined;
      if (!operation || !args) continue;
      for (const argument of args) {
        if (argument.location === 'body' && argument.name === undefined) {
          const type = argument.type;
          if (!isValidatedClass(type) || done.has(type)) continue;
          const schema = schemas[type.name];
          if (schema) applyToBodySchema(schema, type);
          done.add(type);
        } else if (argument.location === 'query' && argument.name === undefined) {
          if (isValidatedClass(argument.type)) applyToQuery(operation, argument.type);
        } else if (argument.location === 'path') {
          applyToPath(operation, argument);
        }
      }
    }
  }
}
