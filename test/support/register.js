// Lets a child `node` process run the TypeScript sources directly (the tests start the real
// worker app this way to kill and restart it, and examples/integrator.ts runs with it): SWC
// compiles .ts on require, and @jewelshot/* resolve through tsconfig paths. ES-module-only
// packages load through Node's own require(esm).
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');
const Module = require('node:module');
const { join } = require('node:path');

// The typed client (packages/api-client) names its relative imports by the .js file they compile
// to, as NodeNext resolution requires; its sources are .ts. A relative `./x.js` that finds no
// such file loads `./x.ts` (anything that resolved before resolves the same).
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  try {
    return resolveFilename.call(this, request, ...rest);
  } catch (error) {
    if (error?.code !== 'MODULE_NOT_FOUND' || !/^\.{1,2}\/.*\.js$/.test(request)) throw error;
    return resolveFilename.call(this, `${request.slice(0, -3)}.ts`, ...rest);
  }
};

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
