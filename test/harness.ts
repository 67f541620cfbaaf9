/**
 * Test harness: renders a stack with the real program under Pulumi's mock runtime, optionally from a
 * modified copy of its stack file, and gives typed access to what was registered.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import type { Plan, PlannedResource, RenderOptions } from "../tools/render-stack";
import { isKubernetesObject } from "../tools/plan-format";
import { projectExamples } from "../tools/stack-config";

export const PROJECT_DIR = path.resolve(__dirname, "..");
export const STACKS = ["staging", "production"] as const;
/** The example stack files (examples/*.yaml), rendered as production stacks. */
export const EXAMPLES_DIR = path.join(PROJECT_DIR, "examples");
export const EXAMPLE_FILES = projectExamples(PROJECT_DIR).map((file) => path.basename(file));

/**
 * The renderer, loaded when a test first renders: with it come Pulumi's SDKs, which take seconds to
 * load in each test file, and most test files only read the run's cached plans.
 */
const renderStack = (options: RenderOptions, program?: () => unknown): Promise<Plan> =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require("../tools/render-stack") as typeof import("../tools/render-stack")).renderStack(options, program);

/** The program, loaded when a test first renders a changed stack (loading Pulumi's SDKs takes seconds). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const program = () => (require("../index") as () => unknown)();

/** Where test/global-setup.ts left the plans of the unchanged stacks. */
export const PLAN_CACHE_ENV = "MCP_TEST_PLANS";
export const planCacheFile = (dir: string, stack: string, keepSecrets: boolean) => path.join(dir, `${stack}${keepSecrets ? ".secrets" : ""}.json`);
const exampleCacheFile = (dir: string, file: string) => path.join(dir, `example-${file}.secrets.json`);

/** The `config:` mapping of a stack file, for tests to modify. */
export type StackValues = Record<string, unknown> & {
  "mcp-platform:services": Record<string, Record<string, unknown>>;
};

const stackValues = new Map<string, StackValues>();

/** A stack file's values, parsed once per test file; each call gets its own copy to change. */
export function readStackValues(stack: string): StackValues {
  if (!stackValues.has(stack)) stackValues.set(stack, parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")).config);
  return structuredClone(stackValues.get(stack)!);
}

/**
 * Writes stack values to a temporary stack file and returns its path. As JSON, which is YAML the
 * CLI and the loader read alike: the yaml library's stringify was a tenth of the unit suite's YAML time.
 */
export function writeStackFile(values: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-stack-"));
  const file = path.join(dir, "Pulumi.test.yaml");
  fs.writeFileSync(file, `${JSON.stringify({ config: values }, null, 1)}\n`);
  return file;
}

/** Renders a stack; `change` edits a copy of its stack file first. An unchanged stack's plan comes from the run's cache. */
export async function render(stack: string, change?: (values: StackValues) => void, keepSecrets = false): Promise<Plan> {
  const cache = process.env[PLAN_CACHE_ENV];
  if (!change && cache && fs.existsSync(planCacheFile(cache, stack, keepSecrets))) {
    return JSON.parse(fs.readFileSync(planCacheFile(cache, stack, keepSecrets), "utf8")) as Plan;
  }
  let configFile: string | undefined;
  if (change) {
    const values = readStackValues(stack);
    change(values);
    configFile = writeStackFile(values);
  }
  return configFile ? renderFile(stack, configFile, keepSecrets) : renderStack({ projectDir: PROJECT_DIR, stack, keepSecrets }, program);
}

/** Renders an example stack file as a production stack, secrets kept; from the run's cache when there. */
export async function renderExample(file: string): Promise<Plan> {
  const cache = process.env[PLAN_CACHE_ENV];
  if (cache && fs.existsSync(exampleCacheFile(cache, file))) return JSON.parse(fs.readFileSync(exampleCacheFile(cache, file), "utf8")) as Plan;
  return renderFile("production", path.join(EXAMPLES_DIR, file), true);
}

/** Writes the plans every test file reads into the run's cache (test/global-setup.ts). */
export async function fillPlanCache(dir: string): Promise<void> {
  for (const stack of STACKS) {
    for (const keepSecrets of [false, true]) {
      fs.writeFileSync(planCacheFile(dir, stack, keepSecrets), JSON.stringify(await renderStack({ projectDir: PROJECT_DIR, stack, keepSecrets })));
    }
  }
  for (const file of EXAMPLE_FILES) {
    const plan = await renderStack({ projectDir: PROJECT_DIR, stack: "production", configFile: path.join(EXAMPLES_DIR, file), keepSecrets: true });
    fs.writeFileSync(exampleCacheFile(dir, file), JSON.stringify(plan));
  }
}

/** Renders a stack from a given stack file (a temporary copy), in this process. */
export function renderFile(stack: string, configFile: string, keepSecrets = false): Promise<Plan> {
  return renderStack({ projectDir: PROJECT_DIR, stack, configFile, keepSecrets }, program);
}

/** Kubernetes objects as registered, keyed by "Kind/name". */
export function objects(plan: Plan): Map<string, K8sObject> {
  return new Map(
    plan.resources.filter(isKubernetesObject).map((r) => {
      const o = r.inputs as unknown as K8sObject;
      return [`${o.kind}/${o.metadata.name}`, o];
    }),
  );
}

export function resource(plan: Plan, type: string, name: string): PlannedResource {
  const found = plan.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name} in the plan of ${plan.stack}`);
  return found;
}

// A loose view of a manifest, enough for assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; [key: string]: any };

/** A project directory with copies of the project file and both stack files (for the commands' --dir). */
export function projectCopy(prefix = "mcp-release-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml"]) fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
  return dir;
}

/** Node's arguments that run a TypeScript file of the project as the npm scripts do (tools/ts-loader.cjs). */
export const TS_NODE_ARGS = ["--require", path.join(PROJECT_DIR, "tools", "ts-loader.cjs")];

/** Runs one of the project's TypeScript tools as a user does: a separate process, its exit code and output. */
export function runScript(script: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...TS_NODE_ARGS, script, ...args], { cwd: PROJECT_DIR });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
