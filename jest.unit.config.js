// The fast tier: colocated *.spec.ts of pure logic, with no database, Redis or global set-up.
// `npm run test:unit` runs it in seconds; `npm test` runs these and everything else.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
