// Generates packages/api-client/src/schema.d.ts from openapi.yaml with openapi-typescript, then
// formats it with the repository's Prettier settings so the output is stable. With --check it
// writes nothing and fails when the committed file differs (the client drifted from the spec).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';

const root = new URL('../', import.meta.url);
const spec = new URL('openapi.yaml', root);
const target = fileURLToPath(new URL('packages/api-client/src/schema.d.ts', root));
const check = process.argv.includes('--check');

const banner =
  '// Generated from openapi.yaml by `npm run client:generate` (openapi-typescript). Do not edit.\n';
const ast = await openapiTS(spec, { alphabetize: true });
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
