// Jest's results processor: when TEST_REPORT_DIR is set (CI), writes the run's summary as
// jest.json there, so `.ci/run` can count the tests of the README's one test command (`npm test`,
// which runs Jest and then the SPA's Vitest suite, whose reporter writes vitest.json).
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

module.exports = (results) => {
  const dir = process.env.TEST_REPORT_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    const { numPassedTests, numFailedTests, numRuntimeErrorTestSuites } = results;
    writeFileSync(
      join(dir, 'jest.json'),
      JSON.stringify({ numPassedTests, numFailedTests, numRuntimeErrorTestSuites }),
    );
  }
  return results;
};
