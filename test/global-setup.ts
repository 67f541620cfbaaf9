/**
 * Renders each stack once for the whole run (as plan files are: secrets redacted, and once with
 * secret values kept, for the policy pack) and each example stack file, so test files read the
 * plans instead of each rendering them again. Tests that change a stack still render it themselves.
 *
 * Everything the run writes to temporary files (test files, the tools and scripts they start,
 * PostgreSQL's clusters) goes under one folder, TMPDIR for the workers, which the teardown removes:
 * runs used to leave thousands of folders in /tmp. It is world-writable and sticky, as /tmp is,
 * because PostgreSQL runs as its own user under it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fillPlanCache, PLAN_CACHE_ENV } from "./harness";

/** The folder of the run's temporary files (the teardown removes it). */
export const RUN_TMPDIR_ENV = "MCP_TEST_TMPDIR";

export default async function globalSetup(): Promise<void> {
  const plans = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-test-plans-"));
  await fillPlanCache(plans);
  process.env[PLAN_CACHE_ENV] = plans;
  const temporary = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-test-run-"));
  fs.chmodSync(temporary, 0o1777);
  process.env[RUN_TMPDIR_ENV] = temporary;
  process.env.TMPDIR = temporary;
}
