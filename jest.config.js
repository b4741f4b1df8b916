/** Unit tests run in parallel-safe isolation; integration tests share one Kafka broker and run in band. */
const { pathsToModuleNameMapper } = require('ts-jest');
const ts = require('typescript');

// The same module names as tsconfig.json's paths: @saga-coordinator/participant resolves to its sources.
const { config } = ts.readConfigFile(require.resolve('./tsconfig.json'), ts.sys.readFile);

module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.(spec|test)\\.ts$',
  transform: { '^.+\\.ts$': 'ts-jest' },
  moduleNameMapper: pathsToModuleNameMapper(config.compilerOptions.paths, { prefix: '<rootDir>/' }),
  testEnvironment: 'node',
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
