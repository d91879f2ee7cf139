import type { Config } from 'jest';

const config: Config = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // One redis-server and one PostgreSQL for the whole run, on loopback ports.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // Store tests sleep past real TTLs; the default 5 s leaves no margin on a loaded machine.
  testTimeout: 20000,
};

export default config;
