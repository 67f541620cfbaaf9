/**
 * npm run check -- [--stack NAME ...] [--config-file FILE] [--plan FILE.json ...] [--format text|json|github] [--policy-config FILE]
 *
 * The pull-request gate that needs no credentials: renders each stack offline (default: every
 * Pulumi.<stack>.yaml; with --config-file, the one --stack from that file instead, as
 * `npm run plan` does), or reads plans written by `npm run plan -- --json`, and evaluates the
 * policy pack on them the way `pulumi preview --policy-pack policies` does: the pack served by
 * Pulumi's own runner, configured from policies/config/<stack or environment>.json, every
 * resource analyzed, then the stack. Exit 1 on any mandatory violation, 2 on bad input.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config";
import { parseCli, runMain, UsageError } from "./cli";
import { PolicyPackError, PolicyPackSession } from "./policy/analyzer";
import { PolicyConfigError, readPolicyConfig, resolvePolicyConfig } from "./policy/policy-config";
import { blocks, formatResults, FORMATS, type Format, type StackResult } from "./policy/report";
import { planStack, type Plan } from "./render-stack";
import { StackFileError } from "./stack-config";

const USAGE = "npm run check -- [--stack NAME ...] [--config-file FILE] [--plan FILE.json ...] [--format text|json|github] [--policy-config FILE]";
const PROJECT_DIR = path.resolve(__dirname, "..");
export const POLICIES_DIR = path.join(PROJECT_DIR, "policies");

/** The stacks of this project: one per Pulumi.<stack>.yaml. */
export function projectStacks(dir = PROJECT_DIR): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

/** A plan file written by `npm run plan -- --json`, or a clear error. */
export function readPlanFile(file: string): Plan {
  let plan: Partial<Plan>;
  try {
    plan = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Plan>;
  } catch (error) {
    throw new UsageError(`cannot read plan ${file}: ${(error as Error).message} (write one with npm run plan -- --stack NAME --json FILE)`);
  }
  if (!plan || typeof plan.stack !== "string" || !Array.isArray(plan.resources)) {
    throw new UsageError(`${file} is not a plan: expected the JSON that npm run plan -- --json writes (project, stack, resources, outputs)`);
  }
  return plan as Plan;
}

/**
 * policies/config/<stack>.json when there is one, else the file of the stack's environment. With
 * `fromConfigFile` (the stack was rendered from another file than Pulumi.<stack>.yaml) the stack's
 * own file does not apply: the environment that file declares picks the config.
 */
export function policyConfigFor(plan: Plan, dir = path.join(POLICIES_DIR, "config"), fromConfigFile = false): string {
  const candidates = [fromConfigFile ? undefined : plan.stack, plan.outputs?.environment].filter((c): c is string => typeof c === "string").map((c) => path.join(dir, `${c}.json`));
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new UsageError(`no policy config for stack ${plan.stack}: create ${candidates.map((c) => path.relative(process.cwd(), c)).join(" or ")}, or pass --policy-config FILE`);
  return found;
}

async function main(): Promise<number> {
  const args = parseCli(
    { stack: { type: "string", multiple: true }, "config-file": { type: "string" }, plan: { type: "string", multiple: true }, format: { type: "string", default: "text" }, "policy-config": { type: "string" } },
    USAGE,
  );
  const format = args.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}; got "${args.format}"`);
  const known = projectStacks();
  const stacks = args.stack ?? (args.plan ? [] : known);
  for (const stack of stacks) if (!known.includes(stack)) throw new UsageError(`no stack "${stack}": this project has ${known.join(", ")} (Pulumi.<stack>.yaml)`);
  const configFile = args["config-file"];
  if (configFile && args.stack?.length !== 1) throw new UsageError(`--config-file needs exactly one --stack (the stack whose settings the file holds)\nusage: ${USAGE}`);
  const plans = (args.plan ?? []).map(readPlanFile);
  if (args["policy-config"]) readPolicyConfig(args["policy-config"]);

  const session = await PolicyPackSession.start(POLICIES_DIR);
  const results: StackResult[] = [];
  try {
    const info = await session.info();
    // Rendered here, secret values are the program's (mock stand-ins for generated ones), as the CLI's analyzer sees them.
    const targets: { plan: () => Promise<Plan>; fromConfigFile: boolean }[] = [
      ...plans.map((plan) => ({ plan: async () => plan, fromConfigFile: false })),
      ...stacks.map((stack) => ({ plan: () => planStack({ projectDir: PROJECT_DIR, stack, configFile, keepSecrets: true }), fromConfigFile: !!configFile })),
    ];
    for (const target of targets) {
      const plan = await target.plan();
      const file = args["policy-config"] ?? policyConfigFor(plan, undefined, target.fromConfigFile);
      await session.configure(resolvePolicyConfig(readPolicyConfig(file), info, file));
      const violations = await session.analyze(plan.resources);
      results.push({ stack: plan.stack, policyConfig: path.relative(PROJECT_DIR, path.resolve(file)), resources: plan.resources.filter((r) => r.custom).length, violations });
    }
  } finally {
    session.close();
  }
  process.stdout.write(formatResults(results, format));
  return blocks(results) ? 1 : 0;
}

if (require.main === module) {
  runMain(main, (error) => [StackFileError, ConfigError, PolicyConfigError, PolicyPackError].some((kind) => error instanceof kind));
}
