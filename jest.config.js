/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/standins'],
  testMatch: ['**/*.test.ts'],
  // No AWS SDK Node-version notice in the suite's output (test/support/jest-setup.ts).
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  // Contract tests start Prism (3-4 s); give them room without slowing the rest.
  testTimeout: 30000,
};
