/**
 * npm run bench: wall time, as a fresh process each time, over several runs taken in turn (so a
 * change in the machine's load touches every measure alike), of the plan of each stack, the
 * empty-program harness (tools/empty-program.ts), a bare require of the SDK, the plan of a stack
 * with more services, the policy check of production, of both stacks and of a plan of about 1,000
 * resources; then each goal of issue #20 beside its measured ratio. Reports figures; it never fails
 * on a timing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { parseCli, positiveInteger, runMain, type Usage } from "./cli";

const PROJECT_DIR = path.resolve(__dirname, "..");
const USAGE: Usage = {
  synopsis: "npm run bench [-- --runs N] [--services N] [--unit] [--suite]",
  help: `Measures, each as a fresh process, over N runs taken in turn (default 5): the plan of each stack, the
empty-program harness, a bare require("@pulumi/pulumi"), the plan of production with --services more
services, the check of production, of both stacks and of a plan of about 1,000 resources. Prints the
median, min and max of each, then each goal of issue #20 beside its measured ratio (ok / not met).
The tools run as node --require ./tools/ts-loader.cjs TOOL, as the npm scripts do (npm's own start,
the same for all, left out). Asserts nothing.

  --runs N       runs per measure
  --services N   services added to production for the per-service cost (default 50)
  --unit         also time the unit suite (npm run test:unit) once
  --suite        also time the whole suite (npm test: unit and integration, no cluster) once`,
};

/** Seconds a command takes; `allowed` exit codes beside 0 (a check that finds violations exits 1). */
function time(command: string, args: string[], allowed: number[] = []): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: PROJECT_DIR, stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0 && !allowed.includes(result.status ?? -1)) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A tool of this project as a user runs it, without npm's start. */
const tool = (script: string, ...args: string[]): [string, string[]] => [process.execPath, ["--require", path.join(PROJECT_DIR, "tools", "ts-loader.cjs"), path.join("tools", script), ...args]];

/** The production stack file with `copies` copies of its worker service and its quota lifted. */
function productionWith(copies: number, dir: string): string {
  const stackFile = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8")) as { config: Record<string, unknown> };
  const services = stackFile.config["mcp-platform:services"] as Record<string, unknown>;
  delete stackFile.config["mcp-platform:quota"];
  for (let i = 0; i < copies; i++) services[`worker-${String(i).padStart(3, "0")}`] = structuredClone(services.worker);
  const file = path.join(dir, `Pulumi.production-${copies}.yaml`);
  fs.writeFileSync(file, stringify(stackFile));
  return file;
}

/** A production plan of about `target` resources (each copy of the worker brings about 7.5). Returns the plan file and its size. */
function largePlan(target: number, dir: string): { file: string; resources: number } {
  const file = path.join(dir, "plan.json");
  const [command, args] = tool("plan.ts", "--stack", "production", "--config-file", productionWith(Math.ceil(target / 7.5), dir), "--json", file);
  const result = spawnSync(command, args, { cwd: PROJECT_DIR, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`plan of the large stack failed: ${result.stderr}`);
  const plan = JSON.parse(fs.readFileSync(file, "utf8")) as { resources: { custom: boolean }[] };
  return { file, resources: plan.resources.filter((r) => r.custom).length };
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `median ${median(samples).toFixed(2)} s, min ${sorted[0].toFixed(2)} s, max ${sorted[sorted.length - 1].toFixed(2)} s`;
}

runMain(async () => {
  const args = parseCli({ runs: { type: "string", default: "5" }, services: { type: "string", default: "50" }, unit: { type: "boolean", default: false }, suite: { type: "boolean", default: false } }, USAGE);
  const runs = positiveInteger("--runs", args.runs);
  const services = positiveInteger("--services", args.services);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-bench-"));
  const large = largePlan(1000, dir);
  const measures: { name: string; run: () => number }[] = [
    { name: "bare require(\"@pulumi/pulumi\")", run: () => time(process.execPath, ["-e", 'require("@pulumi/pulumi")']) },
    { name: "empty-program harness", run: () => time(...tool("empty-program.ts")) },
    { name: "plan staging", run: () => time(...tool("plan.ts", "--stack", "staging")) },
    { name: "plan production", run: () => time(...tool("plan.ts", "--stack", "production")) },
    { name: "plan production, worker copied 0 times", run: () => time(...tool("plan.ts", "--stack", "production", "--config-file", productionWith(0, dir))) },
    { name: `plan production, +${services} services`, run: () => time(...tool("plan.ts", "--stack", "production", "--config-file", productionWith(services, dir))) },
    { name: "check production", run: () => time(...tool("check.ts", "--stack", "production"), [1]) },
    { name: "check of both stacks", run: () => time(...tool("check.ts"), [1]) },
    // The copies break the capacity plan on purpose: the check exits 1, which is part of the measure.
    { name: `check of a ${large.resources}-resource plan`, run: () => time(...tool("check.ts", "--plan", large.file), [1]) },
  ];
  const samples = new Map(measures.map((m) => [m.name, [] as number[]]));
  for (let i = 0; i < runs; i++) for (const m of measures) samples.get(m.name)!.push(m.run());
  const width = Math.max(...measures.map((m) => m.name.length));
  for (const m of measures) process.stdout.write(`${m.name.padEnd(width)}  ${summary(samples.get(m.name)!)}\n`);

  const med = (name: string) => median(samples.get(name)!);
  const perService = ((med(`plan production, +${services} services`) - med("plan production, worker copied 0 times")) / services) * 1000;
  const goals: { goal: string; measured: string; ok: boolean }[] = [
    { goal: "plan of production <= 1.3x the empty-program harness", measured: `${(med("plan production") / med("empty-program harness")).toFixed(2)}x`, ok: med("plan production") <= 1.3 * med("empty-program harness") },
    { goal: "per-service cost <= 22.5 ms (half of the 45 ms of the issue)", measured: `${perService.toFixed(1)} ms`, ok: perService <= 22.5 },
    {
      goal: `check of a ${large.resources}-resource plan <= 2x a bare require`,
      measured: `${(med(`check of a ${large.resources}-resource plan`) / med('bare require("@pulumi/pulumi")')).toFixed(2)}x`,
      ok: med(`check of a ${large.resources}-resource plan`) <= 2 * med('bare require("@pulumi/pulumi")'),
    },
    { goal: "check of production <= 1.2x its plan", measured: `${(med("check production") / med("plan production")).toFixed(2)}x`, ok: med("check production") <= 1.2 * med("plan production") },
  ];
  if (args.unit) {
    const unit = time("npm", ["run", "--silent", "test:unit"]);
    goals.push({ goal: "unit suite (npm run test:unit) <= 20 s", measured: `${unit.toFixed(1)} s`, ok: unit <= 20 });
  }
  if (args.suite) {
    const suite = time("npm", ["test", "--silent"]);
    goals.push({ goal: "whole suite (npm test) <= 90 s", measured: `${suite.toFixed(1)} s`, ok: suite <= 90 });
  }
  const goalWidth = Math.max(...goals.map((g) => g.goal.length));
  process.stdout.write(`\nGoals of issue #20 (medians of ${runs} runs taken in turn, this machine, now)\n`);
  for (const g of goals) process.stdout.write(`  ${g.goal.padEnd(goalWidth)}  ${g.measured.padStart(8)}  ${g.ok ? "ok" : "not met"}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
});
