/**
 * Tests are TypeScript, transformed by swc; processes the tests spawn (kernel, pool workers) run the tsc build in dist/.
 * Every notebook under notebooks/ is also a test suite (nbval-style): each code cell is a test comparing fresh outputs
 * with the stored ones (see nbval/).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/notebooks'],
  testMatch: ['**/*.test.ts', '**/notebooks/**/*.ipynb'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, sourceMaps: 'inline' }],
    '\\.ipynb$': '<rootDir>/nbval/jest-transform.js',
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'ipynb'],
  testPathIgnorePatterns: ['/node_modules/', '\\.executed\\.ipynb$', '/\\.ipynb_checkpoints/'],
  globalSetup: '<rootDir>/test/global-setup.js',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  testTimeout: 60000,
};
