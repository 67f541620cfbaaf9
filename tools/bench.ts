/**
 * npm run bench: wall time of the offline plan of each stack, as a user runs it (a fresh process
 * each time, `npm run plan`), over several runs. Reports figures; asserts nothing.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { parseCli, runMain } from "./cli";

const PROJECT_DIR = path.resolve(__dirname, "..");

function time(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: PROJECT_DIR, stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `median ${median.toFixed(2)} s, min ${sorted[0].toFixed(2)} s, max ${sorted[sorted.length - 1].toFixed(2)} s (${samples.length} runs)`;
}

runMain(async () => {
  const args = parseCli({ runs: { type: "string", default: "5" } }, "npm run bench [-- --runs N]");
  const runs = Number(args.runs);
  for (const stack of ["staging", "production"]) {
    const samples = Array.from({ length: runs }, () => time("npm", ["run", "--silent", "plan", "--", "--stack", stack]));
    process.stdout.write(`plan ${stack.padEnd(10)} ${summary(samples)}\n`);
  }
});
