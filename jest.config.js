/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Unit tests sit beside their module (lambda/, cli/, lib/); scenario suites live under test/.
  roots: ['<rootDir>/lambda', '<rootDir>/cli', '<rootDir>/lib', '<rootDir>/test', '<rootDir>/standins'],
  testMatch: ['**/*.test.ts'],
  // No AWS SDK Node-version notice in the suite's output (test/support/jest-setup.ts).
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  // Contract tests start Prism (3-4 s); give them room without slowing the rest.
  testTimeout: 30000,
};
