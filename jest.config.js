/** Jest: ts-jest transpiles only (isolatedModules in tsconfig.json); `npm run typecheck` type-checks once. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The cluster tests need a built control plane: npm run test:cluster runs them (test/cluster/jest.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/cluster/"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 30000,
  // Jest's default (cores - 1) runs one file at a time on a 2-core machine: two halve the unit suite's wall time.
  maxWorkers: Math.max(2, require("os").cpus().length - 1),
  // Pulumi's function serialization loads on first use in every test file (test/setup-lazy-closure.ts).
  setupFiles: ["<rootDir>/test/setup-lazy-closure.ts"],
  globalSetup: "<rootDir>/test/global-setup.ts",
  globalTeardown: "<rootDir>/test/global-teardown.ts",
};
