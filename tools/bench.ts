/**
 * npm run bench: wall time, as a user runs them (a fresh process each time), over several runs, of
 * the offline plan of each stack (`npm run plan`), of the policy check of both stacks (`npm run
 * check`), and of the check of a plan of about 1,000 resources (the production stack with its
 * worker copied until the plan is that big). Reports figures; asserts nothing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { parseCli, runMain, type Usage } from "./cli";

const PROJECT_DIR = path.resolve(__dirname, "..");
const USAGE: Usage = {
  synopsis: "npm run bench [-- --runs N]",
  help: `Measures, each as a fresh process over N runs (default 5): npm run plan of each stack, npm run check
of both stacks, and the check of a plan of about 1,000 resources. Reports median, min and max;
asserts nothing.

  --runs N    runs per measure`,
};

/** Seconds a command takes; `allowed` exit codes beside 0 (a check that finds violations exits 1). */
function time(command: string, args: string[], allowed: number[] = []): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: PROJECT_DIR, stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0 && !allowed.includes(result.status ?? -1)) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A production plan of about `target` resources: the worker service copied, the quota lifted. Returns the plan file and its size. */
function largePlan(target: number): { file: string; resources: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-bench-"));
  const stackFile = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8")) as { config: Record<string, unknown> };
  const services = stackFile.config["mcp-platform:services"] as Record<string, unknown>;
  delete stackFile.config["mcp-platform:quota"];
  // Each copy of the worker brings about five resources (its Deployment, disruption budget, service account, network policy...).
  for (let i = 0; i < Math.ceil(target / 5); i++) services[`worker-${String(i).padStart(3, "0")}`] = structuredClone(services.worker);
  const config = path.join(dir, "Pulumi.large.yaml");
  fs.writeFileSync(config, stringify(stackFile));
  const file = path.join(dir, "plan.json");
  const result = spawnSync("npm", ["run", "--silent", "plan", "--", "--stack", "production", "--config-file", config, "--json", file], { cwd: PROJECT_DIR, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`plan of the large stack failed: ${result.stderr}`);
  const plan = JSON.parse(fs.readFileSync(file, "utf8")) as { resources: { custom: boolean }[] };
  return { file, resources: plan.resources.filter((r) => r.custom).length };
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `median ${median.toFixed(2)} s, min ${sorted[0].toFixed(2)} s, max ${sorted[sorted.length - 1].toFixed(2)} s (${samples.length} runs)`;
}

runMain(async () => {
  const args = parseCli({ runs: { type: "string", default: "5" } }, USAGE);
  const runs = Number(args.runs);
  for (const stack of ["staging", "production"]) {
    const samples = Array.from({ length: runs }, () => time("npm", ["run", "--silent", "plan", "--", "--stack", stack]));
    process.stdout.write(`plan ${stack.padEnd(10)} ${summary(samples)}\n`);
  }
  const check = Array.from({ length: runs }, () => time("npm", ["run", "--silent", "check"]));
  process.stdout.write(`check of both stacks  ${summary(check)}\n`);
  const large = largePlan(1000);
  // The copies break the capacity plan on purpose: the check exits 1, which is part of the measure.
  const checkLarge = Array.from({ length: runs }, () => time("npm", ["run", "--silent", "check", "--", "--plan", large.file], [1]));
  process.stdout.write(`check of a ${large.resources}-resource plan  ${summary(checkLarge)}\n`);
});
