// Jest runs the TypeScript sources through SWC. NestJS 12 and several of its companions ship
// as ES modules only; Node 20 can require() them but Jest's module loader cannot, so those
// packages are compiled to CommonJS on the way in (cached after the first run).
const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

function esmPackages() {
  const root = join(__dirname, 'node_modules');
  const names = [];
  for (const entry of readdirSync(root)) {
    const dirs = entry.startsWith('@')
      ? readdirSync(join(root, entry)).map((d) => `${entry}/${d}`)
      : [entry];
    for (const name of dirs) {
      const manifest = join(root, name, 'package.json');
      if (!existsSync(manifest)) continue;
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).type === 'module') names.push(name);
      } catch {
        // not a package
      }
    }
  }
  return names;
}

// CommonJS packages that import() an ES module: Jest's loader cannot run import() without
// --experimental-vm-modules, so these are compiled too (SWC turns the import() into require()).
const LOADS_ESM_DYNAMICALLY = ['@fastify/cookie', '@react-email/render'];

const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs', ignoreDynamic: false },
    sourceMaps: 'inline',
  },
];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: [
    '<rootDir>/test/e2e/**/*.e2e-spec.ts',
    '<rootDir>/test/integration/**/*.spec.ts',
    '<rootDir>/{apps,libs}/**/*.spec.ts',
  ],
  // The SPA and its client have their own runner (Vitest: npm run test:web).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/web/', '<rootDir>/packages/'],
  modulePathIgnorePatterns: ['<rootDir>/apps/web/dist/'],
  transform: { '^.+\\.(t|j|mj|cj)s$': swc },
  transformIgnorePatterns: [
    `/node_modules/(?!(${[...esmPackages(), ...LOADS_ESM_DYNAMICALLY].map(escape).join('|')})/)`,
  ],
  moduleNameMapper: {
    // The typed client is a workspace package, not a lib (examples/integrator.ts imports it).
    '^@jewelshot/api-client$': '<rootDir>/packages/api-client/src/index.ts',
    '^@jewelshot/(.*)$': '<rootDir>/libs/$1/src',
  },
  // Its relative imports end in .js (NodeNext) while its sources are .ts.
  resolver: '<rootDir>/test/support/jest-resolver.js',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testResultsProcessor: '<rootDir>/test/support/results-processor.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
