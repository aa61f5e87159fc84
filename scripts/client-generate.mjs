// Generates packages/api-client/src/schema.d.ts from openapi.yaml with openapi-typescript, then
// formats it with the repository's Prettier settings so the output is stable. With --check it
// writes nothing and fails when the committed file differs (the client drifted from the spec).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';
import ts from 'typescript';

const root = new URL('../', import.meta.url);
const spec = new URL('openapi.yaml', root);
const target = fileURLToPath(new URL('packages/api-client/src/schema.d.ts', root));
const check = process.argv.includes('--check');

const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

const banner =
  '// Generated from openapi.yaml by `npm run client:generate` (openapi-typescript). Do not edit.\n';
const ast = await openapiTS(spec, {
  alphabetize: true,
  // openapi-typescript 7 makes a property with a `default` required unless told otherwise (true
  // is its default), also in the request-body DTOs under components/schemas, where the API fills
  // the default in: `description` of a webhook or `refreshTokenDelivery` of a login could not be
  // left out. With false, only `required` decides, in requests and answers alike (every answer
  // DTO lists what the server always sends as required).
  defaultNonNullable: false,
  // `format: binary` (an upload's `file`, a file's content) is bytes: a Blob to send in a
  // FormData or read with parseAs: 'blob', not a string (the generator's default).
  transform(schemaObject) {
    if (schemaObject.format !== 'binary') return undefined;
    const nullable =
      schemaObject.nullable === true ||
      (Array.isArray(schemaObject.type) && schemaObject.type.includes('null'));
    return nullable ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
  },
});
const options = (await prettier.resolveConfig(target)) ?? {};
const generated = await prettier.format(banner + astToString(ast), {
  ...options,
  filepath: target,
});

if (check) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== generated) {
    console.error(
      'packages/api-client/src/schema.d.ts is out of date: run npm run client:generate',
    );
    process.exit(1);
  }
  console.log('packages/api-client/src/schema.d.ts matches openapi.yaml');
} else {
  await writeFile(target, generated);
  console.log('wrote packages/api-client/src/schema.d.ts');
}
