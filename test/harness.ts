/**
 * Test harness: renders a stack with the real program under Pulumi's mock runtime, optionally from a
 * modified copy of its stack file, and gives typed access to what was registered.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { renderStack, type Plan, type PlannedResource } from "../tools/render-stack";
import { isKubernetesObject } from "../tools/plan-format";

export const PROJECT_DIR = path.resolve(__dirname, "..");
export const STACKS = ["staging", "production"] as const;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const program = require("../index") as () => unknown;

/** The `config:` mapping of a stack file, for tests to modify. */
export type StackValues = Record<string, unknown> & {
  "mcp-platform:services": Record<string, Record<string, unknown>>;
};

export function readStackValues(stack: string): StackValues {
  return parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")).config;
}

/** Writes stack values to a temporary stack file and returns its path. */
export function writeStackFile(values: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-stack-"));
  const file = path.join(dir, "Pulumi.test.yaml");
  fs.writeFileSync(file, stringify({ config: values }));
  return file;
}

/** Renders a stack; `change` edits a copy of its stack file first. */
export async function render(stack: string, change?: (values: StackValues) => void): Promise<Plan> {
  let configFile: string | undefined;
  if (change) {
    const values = readStackValues(stack);
    change(values);
    configFile = writeStackFile(values);
  }
  return renderStack({ projectDir: PROJECT_DIR, stack, configFile }, program);
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
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; [key: string]: any };
