/**
 * Renders each stack once for the whole run (as plan files are: secrets redacted, and once with
 * secret values kept, for the policy pack) and each example stack file, so test files read the
 * plans instead of each rendering them again. Tests that change a stack still render it themselves.
 *
 * Everything the run writes to temporary files (test files, the tools and scripts they start,
 * PostgreSQL's clusters) goes under one folder, TMPDIR for the workers, which the teardown removes:
 * runs used to leave thousands of folders in /tmp. It is world-writable and sticky, as /tmp is,
 * because PostgreSQL runs as its own user under it.
 *
 * A tool installed under pyenv (the aws CLI, moto_server) is found through a shim that runs pyenv's
 * bash scripts before Python on every call: about 60 ms of CPU each, measured on this machine, and
 * the backup scripts under test call aws some 70 times a run. The run puts the directory of what
 * the shim would execute (`pyenv which`) first on PATH: the same binary, without the detour.
 */
import { spawnSync } from "child_process";
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
  process.env.PATH = withoutShims(["aws", "moto_server"], process.env.PATH ?? "");
}

/** PATH with the directory of each tool a pyenv shim would run put first (PATH as it was when there is no shim or no pyenv). */
function withoutShims(tools: string[], searchPath: string): string {
  const first: string[] = [];
  for (const tool of tools) {
    const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (!found.includes(`${path.sep}shims${path.sep}`)) continue;
    const real = spawnSync("pyenv", ["which", tool], { encoding: "utf8" });
    if (real.status === 0 && real.stdout.trim()) first.push(path.dirname(real.stdout.trim()));
  }
  return [...new Set(first), searchPath].join(path.delimiter);
}
