/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
  // The suite starts real servers (broker, dynalite, HTTP): two workers fit a 2-core machine.
  maxWorkers: 2,
  // 200 concurrent orders saturate both cores on their own: `npm run test:load` runs that suite alone (CI too).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/load.test.ts'],
  // Tests that need kcat, kafka-python, docker-compose or a browser go through test/support/outside-tools.ts;
  // this reporter lists in one closing line what was skipped for want of them and how to install it.
  reporters: ['default', '<rootDir>/test/support/skipped-tools-reporter.js'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
};
