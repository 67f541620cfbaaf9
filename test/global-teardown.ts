import * as fs from "fs";
import { RUN_TMPDIR_ENV } from "./global-setup";
import { PLAN_CACHE_ENV } from "./harness";

export default function globalTeardown(): void {
  for (const name of [PLAN_CACHE_ENV, RUN_TMPDIR_ENV]) {
    const dir = process.env[name];
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
