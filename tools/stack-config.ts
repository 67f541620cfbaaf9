/**
 * Loads a stack's configuration the way the Pulumi CLI hands it to a program: the project's
 * declared defaults (Pulumi.yaml) overlaid by the stack file (Pulumi.<stack>.yaml, or the file
 * given as --config-file), every key namespaced, structured values as JSON text. `secure:` values
 * cannot be decrypted without the stack's secrets provider, so they become placeholders and their
 * keys are listed as secret.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { SECRET_PLACEHOLDER } from "../policies/contract";

export interface StackConfig {
  project: string;
  stack: string;
  /** The file the stack's values came from. */
  file: string;
  config: Record<string, string>;
  secretKeys: string[];
}

export class StackFileError extends Error {}

/** The stacks of a project: one per Pulumi.<stack>.yaml. */
export function projectStacks(projectDir: string): string[] {
  return fs
    .readdirSync(projectDir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

/** The project's example stack files (examples/*.yaml, each a production stack), relative to the project, sorted. */
export function projectExamples(projectDir: string): string[] {
  const dir = path.join(projectDir, "examples");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => path.join("examples", f));
}

/** The one message for a stack the project does not have, wherever a command is given one. */
export function requireStack(projectDir: string, stack: string): void {
  const known = projectStacks(projectDir);
  if (!known.includes(stack)) throw new StackFileError(`no stack "${stack}": this project has ${known.join(", ") || "none"} (Pulumi.<stack>.yaml)`);
}

export { SECRET_PLACEHOLDER };

/** `stackText`: the stack file's content as it would be after an edit, instead of what is on disk. */
export function loadStackConfig(projectDir: string, stack: string, configFile?: string, stackText?: string): StackConfig {
  const project = readYaml(path.join(projectDir, "Pulumi.yaml"), "the project file") as {
    name?: string;
    config?: Record<string, { default?: unknown }>;
  };
  if (!project?.name) throw new StackFileError(`${path.join(projectDir, "Pulumi.yaml")}: no project name`);
  if (!configFile) requireStack(projectDir, stack);
  const file = configFile ? path.resolve(configFile) : path.join(projectDir, `Pulumi.${stack}.yaml`);
  const stackFile = readYaml(file, `the stack file of "${stack}"`, stackText) as { config?: Record<string, unknown> } | null;
  const values = stackFile?.config ?? {};
  if (typeof values !== "object" || Array.isArray(values)) throw new StackFileError(`${file}: "config" must be a mapping`);

  const config: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    if (declaration && typeof declaration === "object" && "default" in declaration) {
      config[qualify(key)] = asConfigText(declaration.default).text;
    }
  }
  for (const [key, value] of Object.entries(values)) {
    const { text, secret } = asConfigText(value);
    config[qualify(key)] = text;
    if (secret) secretKeys.add(qualify(key));
  }
  return { project: project.name, stack, file, config, secretKeys: [...secretKeys] };
}

function readYaml(file: string, what: string, given?: string): unknown {
  let text: string;
  try {
    text = given ?? fs.readFileSync(file, "utf8");
  } catch {
    throw new StackFileError(`${file}: cannot read ${what} (does the file exist? stacks are named by their Pulumi.<stack>.yaml)`);
  }
  try {
    return parse(text);
  } catch (error) {
    throw new StackFileError(`${file}: not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** A config value as the CLI passes it: strings as they are, everything else as JSON. */
function asConfigText(value: unknown): { text: string; secret: boolean } {
  let secret = false;
  const reveal = (v: unknown): unknown => {
    if (isSecure(v)) {
      secret = true;
      return SECRET_PLACEHOLDER;
    }
    if (Array.isArray(v)) return v.map(reveal);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, reveal(inner)]));
    return v;
  };
  const plain = reveal(value);
  return { text: typeof plain === "string" ? plain : JSON.stringify(plain), secret };
}

function isSecure(value: unknown): boolean {
  return !!value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}
