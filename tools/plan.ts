/**
 * npm run plan -- --stack <name> [--config-file FILE] [--json FILE] [--out DIR]
 * npm run plan -- --all
 *
 * The offline plan: validates the stack's configuration, runs the real program under Pulumi's mock
 * runtime, prints the resource tree and a count per type; optionally writes the plan as JSON and,
 * for review, every Kubernetes object, Helm release and generated config file. Exit 2 on bad input
 * (arguments, stack file, configuration). With --all, every stack and every example stack file
 * (examples/*.yaml, as production), one after the other in this one process (loading the SDKs once).
 */
import * as fs from "fs";
import * as path from "path";
import { parseCli, required, runMain, UsageError, type Usage } from "./cli";
import { configFiles, countByType, formatTree, helmReleases, manifestsByComponent, planCounts } from "./plan-format";
import { projectExamples, projectStacks, validStackConfig } from "./stack-config";

const USAGE: Usage = {
  synopsis: "npm run plan -- --stack NAME [--config-file FILE] [--json FILE] [--out DIR] | --all",
  help: `Renders a stack offline (the real program under Pulumi's mock runtime, no credentials) and prints its
resource tree and a count per type. Invalid configuration stops it first, one line per problem.

  --stack NAME          the stack: reads Pulumi.NAME.yaml
  --all                 every Pulumi.<stack>.yaml, then every example (examples/*.yaml, as production),
                        in one process; each printed as a plan of its own (no --json or --out)
  --config-file FILE    read the stack's values from FILE instead
  --json FILE           write the plan as JSON (every secret value as "[secret]")
  --out DIR             write for review: DIR/<component>.yaml (every Kubernetes object, Secrets with
                        their keys and masked values), DIR/helm/<namespace>/<release>.yaml and
                        .values.yaml (every Helm release), DIR/config/<object>/<file> (nginx.conf,
                        redis.conf, alertmanager.yaml, ...)

Exit codes: 0 planned, 2 bad input (arguments, stack file, configuration).`,
};
const PROJECT_DIR = path.resolve(__dirname, "..");

/** Writes each file of `files` (relative path -> text) under `dir`. */
function writeFiles(dir: string, files: Map<string, string>): void {
  for (const [file, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

/** Renders one stack (validated first: bad config is exit 2 with one line per problem), prints it and writes what was asked. */
async function planOne(stack: string, configFile: string | undefined, json?: string, out?: string): Promise<void> {
  const stackConfig = validStackConfig(PROJECT_DIR, stack, configFile);
  // Loaded once the configuration is valid: a refused one is answered without loading Pulumi's SDKs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { renderStackConfig } = require("./render-stack") as typeof import("./render-stack");
  const plan = await renderStackConfig({ projectDir: PROJECT_DIR, stack, configFile }, stackConfig);
  plan.resources.sort((a, b) => a.urn.localeCompare(b.urn));

  process.stdout.write(`Plan of stack "${plan.stack}" (${path.relative(process.cwd(), stackConfig.file) || stackConfig.file})\n\n`);
  process.stdout.write(`${formatTree(plan)}\n\nResources by type:\n`);
  for (const [type, count] of countByType(plan)) process.stdout.write(`  ${String(count).padStart(4)}  ${type}\n`);
  const counts = planCounts(plan);
  process.stdout.write(`  ${String(counts.total).padStart(4)}  total: ${counts.checked} resources (what npm run check analyzes), ${counts.providers} provider(s), ${counts.components} components, the stack\n`);

  if (json) {
    fs.mkdirSync(path.dirname(path.resolve(json)), { recursive: true });
    fs.writeFileSync(json, `${JSON.stringify(plan, null, 2)}\n`);
    process.stdout.write(`\nPlan written to ${json}\n`);
  }
  if (out) {
    writeFiles(out, new Map([...manifestsByComponent(plan)].map(([component, text]) => [`${component}.yaml`, text])));
    const releases = helmReleases(plan);
    writeFiles(path.join(out, "helm"), releases);
    writeFiles(path.join(out, "config"), configFiles(plan));
    process.stdout.write(`Kubernetes objects written to ${out}/, ${releases.size / 2} Helm releases to ${out}/helm/, generated config files to ${out}/config/\n`);
  }
}

async function main(): Promise<void> {
  const args = parseCli(
    { stack: { type: "string" }, all: { type: "boolean", default: false }, "config-file": { type: "string" }, json: { type: "string" }, out: { type: "string" } },
    USAGE,
  );
  if (args.all) {
    if (args.stack || args["config-file"] || args.json || args.out) throw new UsageError(`--all plans every stack and example: it takes no --stack, --config-file, --json or --out\nusage: ${USAGE.synopsis}`);
    const targets = [...projectStacks(PROJECT_DIR).map((stack) => ({ stack, configFile: undefined as string | undefined })), ...projectExamples(PROJECT_DIR).map((file) => ({ stack: "production", configFile: path.join(PROJECT_DIR, file) }))];
    for (const [i, target] of targets.entries()) {
      if (i > 0) process.stdout.write("\n");
      await planOne(target.stack, target.configFile);
    }
    return;
  }
  await planOne(required(args.stack, "--stack", USAGE), args["config-file"], args.json, args.out);
}

runMain(main);
