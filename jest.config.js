/** Jest: ts-jest transpiles only (isolatedModules in tsconfig.json); `npm run typecheck` type-checks once. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The cluster tests need a built control plane: npm run test:cluster runs them (test/cluster/jest.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/cluster/"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 30000,
  // One worker more than the cores: an integration test spends much of its time waiting on the
  // tools it drives (a PostgreSQL, a Prometheus scraping for seconds, the policy pack's runner), and
  // a third worker fills that wait on a 2-core machine (the whole suite 118 s -> 97-103 s there).
  // Jest's default (cores - 1) would run one file at a time. `npm run test:unit`, all CPU, runs one per core.
  maxWorkers: require("os").cpus().length + 1,
  // Pulumi's function serialization loads on first use in every test file (test/setup-lazy-closure.ts).
  setupFiles: ["<rootDir>/test/setup-lazy-closure.ts"],
  globalSetup: "<rootDir>/test/global-setup.ts",
  globalTeardown: "<rootDir>/test/global-teardown.ts",
};
