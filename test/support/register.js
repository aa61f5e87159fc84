// Lets a child `node` process run the TypeScript sources directly (the tests start the real
// worker app this way to kill and restart it): SWC compiles .ts on require, and @jewelshot/*
// resolve through tsconfig paths. ES-module-only packages load through Node's own require(esm).
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');
const { join } = require('node:path');

require('tsconfig-paths').register({
  baseUrl: join(__dirname, '..', '..'),
  paths: require('../../tsconfig.json').compilerOptions.paths,
});

addHook(
  (code, filename) =>
    transformSync(code, {
      filename,
      sourceMaps: 'inline',
      module: { type: 'commonjs' },
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: {
          legacyDecorator: true,
          decoratorMetadata: true,
          useDefineForClassFields: true,
        },
        target: 'es2022',
        keepClassNames: true,
      },
    }).code,
  { exts: ['.ts'], ignoreNodeModules: true },
);
