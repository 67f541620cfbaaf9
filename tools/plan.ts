/**
 * npm run plan -- --stack <name> [--config-file FILE] [--json FILE] [--out DIR]
 *
 * The offline plan: validates the stack's configuration, runs the real program under Pulumi's mock
 * runtime, prints the resource tree and a count per type; optionally writes the plan as JSON and
 * every Kubernetes object as YAML. Exit 2 on bad input (arguments, stack file, configuration).
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config";
import { parseCli, runMain, UsageError } from "./cli";
import { configFiles, countByType, formatTree, manifestsByComponent } from "./plan-format";
import { planStack } from "./render-stack";
import { loadStackConfig, StackFileError } from "./stack-config";

const USAGE = "npm run plan -- --stack <staging|production|...> [--config-file FILE] [--json FILE] [--out DIR]";
const PROJECT_DIR = path.resolve(__dirname, "..");

async function main(): Promise<void> {
  const args = parseCli(
    { stack: { type: "string" }, "config-file": { type: "string" }, json: { type: "string" }, out: { type: "string" } },
    USAGE,
  );
  if (!args.stack) throw new UsageError(`--stack is required\nusage: ${USAGE}`);
  const configFile = args["config-file"];

  // Validated before any resource is created: bad config is exit 2 with one line per problem.
  const stackConfig = loadStackConfig(PROJECT_DIR, args.stack, configFile);
  const plan = await planStack({ projectDir: PROJECT_DIR, stack: args.stack, configFile });
  plan.resources.sort((a, b) => a.urn.localeCompare(b.urn));

  process.stdout.write(`Plan of stack "${plan.stack}" (${path.relative(process.cwd(), stackConfig.file) || stackConfig.file})\n\n`);
  process.stdout.write(`${formatTree(plan)}\n\nResources by type:\n`);
  for (const [type, count] of countByType(plan)) process.stdout.write(`  ${String(count).padStart(4)}  ${type}\n`);
  process.stdout.write(`  ${String(plan.resources.length).padStart(4)}  total\n`);

  if (args.json) {
    fs.mkdirSync(path.dirname(path.resolve(args.json)), { recursive: true });
    fs.writeFileSync(args.json, `${JSON.stringify(plan, null, 2)}\n`);
    process.stdout.write(`\nPlan written to ${args.json}\n`);
  }
  if (args.out) {
    fs.mkdirSync(args.out, { recursive: true });
    for (const [component, yamlText] of manifestsByComponent(plan)) {
      fs.writeFileSync(path.join(args.out, `${component}.yaml`), yamlText);
    }
    for (const [file, text] of configFiles(plan)) {
      fs.mkdirSync(path.join(args.out, "config", path.dirname(file)), { recursive: true });
      fs.writeFileSync(path.join(args.out, "config", file), text);
    }
    process.stdout.write(`Manifests written to ${args.out}/, generated config files to ${args.out}/config/\n`);
  }
}

runMain(main, (error) => error instanceof StackFileError || error instanceof ConfigError);
