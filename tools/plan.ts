/**
 * npm run plan -- --stack <name> [--config-file FILE] [--json FILE] [--out DIR]
 *
 * The offline plan: validates the stack's configuration, runs the real program under Pulumi's mock
 * runtime, prints the resource tree and a count per type; optionally writes the plan as JSON and,
 * for review, every Kubernetes object, Helm release and generated config file. Exit 2 on bad input
 * (arguments, stack file, configuration).
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config";
import { parseCli, required, runMain, type Usage } from "./cli";
import { configFiles, countByType, formatTree, helmReleases, manifestsByComponent, planCounts } from "./plan-format";
import { planStack } from "./render-stack";
import { loadStackConfig, StackFileError } from "./stack-config";

const USAGE: Usage = {
  synopsis: "npm run plan -- --stack NAME [--config-file FILE] [--json FILE] [--out DIR]",
  help: `Renders a stack offline (the real program under Pulumi's mock runtime, no credentials) and prints its
resource tree and a count per type. Invalid configuration stops it first, one line per problem.

  --stack NAME          the stack: reads Pulumi.NAME.yaml
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

async function main(): Promise<void> {
  const args = parseCli({ stack: { type: "string" }, "config-file": { type: "string" }, json: { type: "string" }, out: { type: "string" } }, USAGE);
  const stack = required(args.stack, "--stack", USAGE);
  const configFile = args["config-file"];

  // Validated before any resource is created: bad config is exit 2 with one line per problem.
  const stackConfig = loadStackConfig(PROJECT_DIR, stack, configFile);
  const plan = await planStack({ projectDir: PROJECT_DIR, stack, configFile });
  plan.resources.sort((a, b) => a.urn.localeCompare(b.urn));

  process.stdout.write(`Plan of stack "${plan.stack}" (${path.relative(process.cwd(), stackConfig.file) || stackConfig.file})\n\n`);
  process.stdout.write(`${formatTree(plan)}\n\nResources by type:\n`);
  for (const [type, count] of countByType(plan)) process.stdout.write(`  ${String(count).padStart(4)}  ${type}\n`);
  const counts = planCounts(plan);
  process.stdout.write(`  ${String(counts.total).padStart(4)}  total: ${counts.checked} resources (what npm run check analyzes), ${counts.providers} provider(s), ${counts.components} components, the stack\n`);

  if (args.json) {
    fs.mkdirSync(path.dirname(path.resolve(args.json)), { recursive: true });
    fs.writeFileSync(args.json, `${JSON.stringify(plan, null, 2)}\n`);
    process.stdout.write(`\nPlan written to ${args.json}\n`);
  }
  if (args.out) {
    writeFiles(args.out, new Map([...manifestsByComponent(plan)].map(([component, text]) => [`${component}.yaml`, text])));
    const releases = helmReleases(plan);
    writeFiles(path.join(args.out, "helm"), releases);
    writeFiles(path.join(args.out, "config"), configFiles(plan));
    process.stdout.write(`Kubernetes objects written to ${args.out}/, ${releases.size / 2} Helm releases to ${args.out}/helm/, generated config files to ${args.out}/config/\n`);
  }
}

runMain(main, (error) => error instanceof StackFileError || error instanceof ConfigError);
