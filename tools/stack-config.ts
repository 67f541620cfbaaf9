/**
 * Loads a stack's configuration the way the Pulumi CLI hands it to a program: the project's
 * declared defaults (Pulumi.yaml) overlaid by the stack file (Pulumi.<stack>.yaml, or the file
 * given as --config-file), every key namespaced, structured values as JSON text. `secure:` values
 * cannot be decrypted without the stack's secrets provider, so they become placeholders and their
 * keys are listed as secret.
 */
import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, LineCounter, parseDocument, visit } from "yaml";
import { SECRET_PLACEHOLDER } from "../policies/contract";
import { closest, ConfigError, parsePlatformConfig, secrecyProblem, type PlatformConfig } from "../config/validate";
import { InputError } from "../config/errors";
import { rawPlatformConfig } from "../config/load";

export interface StackConfig {
  project: string;
  stack: string;
  /** The file the stack's values came from. */
  file: string;
  config: Record<string, string>;
  secretKeys: string[];
  /** The stack file's text as read (a byte-order mark kept): what the release commands edit. */
  text: string;
}

export class StackFileError extends InputError {}

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

/**
 * A stack's configuration, and the platform's settings validated from it as the program reads them
 * (ConfigError: `heading`, then one line per problem). `stackText` as loadStackConfig takes it. Needs
 * none of Pulumi's SDKs.
 */
export function validStackConfig(projectDir: string, stack: string, configFile?: string, stackText?: string, heading?: string): StackConfig & { platform: PlatformConfig } {
  const stackConfig = loadStackConfig(projectDir, stack, configFile, stackText);
  const parsed = parsePlatformConfig(rawPlatformConfig(stackConfig.config));
  if (!parsed.ok) throw new ConfigError(parsed.errors, heading);
  return { ...stackConfig, platform: parsed.config };
}

/** `stackText`: the stack file's content as it would be after an edit, instead of what is on disk. */
export function loadStackConfig(projectDir: string, stack: string, configFile?: string, stackText?: string): StackConfig {
  const project = readYaml(path.join(projectDir, "Pulumi.yaml"), "the project file").value as {
    name?: string;
    config?: Record<string, { default?: unknown }>;
  };
  if (!project?.name) throw new StackFileError(`${path.join(projectDir, "Pulumi.yaml")}: no project name`);
  if (!configFile) requireStack(projectDir, stack);
  const file = configFile ? path.resolve(configFile) : path.join(projectDir, `Pulumi.${stack}.yaml`);
  const read = readYaml(file, `the stack file of "${stack}"`, stackText);
  const values = (read.value as { config?: Record<string, unknown> } | null)?.config ?? {};
  if (typeof values !== "object" || Array.isArray(values)) throw new StackFileError(`${file}: "config" must be a mapping`);

  const config: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    if (declaration && typeof declaration === "object" && "default" in declaration) {
      config[qualify(key)] = asConfigText(declaration.default).text;
    }
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const problem = keyProblem(key, project.name);
    if (problem) {
      problems.push(`${key}: ${problem}`);
      continue;
    }
    const { text, secret } = asConfigText(value);
    const secrecy = secrecyProblem(key, secret, text);
    if (secrecy) {
      problems.push(secrecy);
      continue;
    }
    config[key] = text;
    if (secret) secretKeys.add(key);
  }
  if (problems.length) throw new StackFileError(`${file}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return { project: project.name, stack, file, config, secretKeys: [...secretKeys], text: read.text };
}

/**
 * Why a stack file's config key is not one the Pulumi CLI would hand to this program as meant: keys
 * must be namespaced ("<namespace>:<name>"), and a namespace one or two letters off the project's is
 * a typo whose keys would be ignored.
 */
function keyProblem(key: string, project: string): string | undefined {
  const colon = key.indexOf(":");
  if (colon < 0) return `not namespaced: stack files name every key with its namespace; did you mean "${project}:${key}"?`;
  const namespace = key.slice(0, colon);
  if (namespace !== project && closest(namespace, [project])) {
    return `unknown namespace "${namespace}"; did you mean "${project}:${key.slice(colon + 1)}"? (keys under another namespace are not read by ${project})`;
  }
  return undefined;
}

/** The stack files a project may have are small; this bounds what a stray file costs to read. */
export const MAX_STACK_FILE_BYTES = 16 * 1024 * 1024;

function readYaml(file: string, what: string, given?: string): { text: string; value: unknown } {
  let text: string;
  if (given !== undefined) text = given;
  else {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      throw new StackFileError(`${file}: cannot read ${what} (does the file exist? stacks are named by their Pulumi.<stack>.yaml)`);
    }
    if (bytes.length > MAX_STACK_FILE_BYTES) throw new StackFileError(`${file}: ${bytes.length} bytes, more than a stack file may have (${MAX_STACK_FILE_BYTES})`);
    text = decodeUtf8(file, bytes);
  }
  const known = parsed.get(text);
  if (known !== undefined) return { text, value: known };
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control) {
    const { line, column } = position(text, control.index);
    throw new StackFileError(`${file}:${line}:${column}: a control character (U+${control[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}); YAML allows none outside escapes: remove it`);
  }
  // The yaml library's own duplicate-key check compares every key of a map with every other one (minutes
  // for a map of 100,000 keys): duplicates are found here instead, in one pass.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter });
  if (doc.errors.length) throw new StackFileError(`${file}: not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  const duplicate = firstDuplicateKey(doc);
  if (duplicate) {
    const { line, col } = lineCounter.linePos(duplicate.offset);
    throw new StackFileError(`${file}:${line}:${col}: key "${duplicate.key}" is given twice in the same mapping; keep one`);
  }
  const value = doc.toJS({ maxAliasCount: 100 });
  remember(text, value);
  return { text, value };
}

/**
 * The values of texts read before in this process, by text (read only: nothing here changes them).
 * The same project and stack files are read again and again by the tests and by every in-process
 * render, and parsing was most of a stack's load. Bounded in entries and in size of a text.
 */
const parsed = new Map<string, unknown>();
const REMEMBERED_TEXTS = 32;
const REMEMBERED_TEXT_LENGTH = 256 * 1024;

function remember(text: string, value: unknown): void {
  if (text.length > REMEMBERED_TEXT_LENGTH) return;
  if (parsed.size >= REMEMBERED_TEXTS) parsed.delete(parsed.keys().next().value!);
  parsed.set(text, value);
}

/** The text of a file that must be UTF-8 (a byte-order mark kept, so an edit writes it back), or the line and byte where it is not. */
export function decodeUtf8(file: string, bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    throw new StackFileError(`${file}:${line}: not UTF-8 (byte 0x${bytes[at].toString(16).padStart(2, "0")} at offset ${at}); save the file as UTF-8`);
  }
}

/** Offset of the first byte that does not begin or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let low = 0;
  let high = bytes.length;
  // The longest prefix that decodes (a prefix cut mid-sequence fails too, so step back over it).
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      decoder.decode(bytes.subarray(0, mid));
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}

function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  return { line: before.split("\n").length, column: index - before.lastIndexOf("\n") };
}

/** The first key repeated within one mapping, anywhere in the document, with its offset. */
function firstDuplicateKey(doc: ReturnType<typeof parseDocument>): { key: string; offset: number } | undefined {
  let found: { key: string; offset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return undefined;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          found = { key: String(key), offset: isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0 };
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
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
  // An empty value (`key:` with nothing after it) is the empty string, as the CLI reads it, not "null".
  return { text: plain === null ? "" : typeof plain === "string" ? plain : JSON.stringify(plain), secret };
}

function isSecure(value: unknown): boolean {
  return !!value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}
