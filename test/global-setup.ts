/**
 * Renders each stack once for the whole run (as plan files are: secrets redacted, and once with
 * secret values kept, for the policy pack) and each example stack file, so test files read the
 * plans instead of each rendering them again. Tests that change a stack still render it themselves.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fillPlanCache, PLAN_CACHE_ENV } from "./harness";

export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-test-plans-"));
  await fillPlanCache(dir);
  process.env[PLAN_CACHE_ENV] = dir;
}
