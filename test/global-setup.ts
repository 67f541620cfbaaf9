/**
 * Renders each stack once for the whole run (as plan files are: secrets redacted, and once with
 * secret values kept, for the policy pack) so test files read the plans instead of each
 * rendering them again. Tests that change a stack still render it themselves.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderStack } from "../tools/render-stack";
import { PLAN_CACHE_ENV, planCacheFile, PROJECT_DIR, STACKS } from "./harness";

export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-test-plans-"));
  for (const stack of STACKS) {
    for (const keepSecrets of [false, true]) {
      const plan = await renderStack({ projectDir: PROJECT_DIR, stack, keepSecrets });
      fs.writeFileSync(planCacheFile(dir, stack, keepSecrets), JSON.stringify(plan));
    }
  }
  process.env[PLAN_CACHE_ENV] = dir;
}
