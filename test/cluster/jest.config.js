/** Jest for the cluster tests (npm run test:cluster): one file at a time, since they share one cluster and its namespaces. */
const base = require("../../jest.config.js");
module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test/cluster"],
  testPathIgnorePatterns: ["/node_modules/"],
  maxWorkers: 1,
  testTimeout: 180000,
  globalSetup: undefined,
  globalTeardown: undefined,
};
