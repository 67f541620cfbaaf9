/**
 * Ajv validators compiled once and kept as standalone code in a cache outside the checkout
 * (${XDG_CACHE_HOME:-~/.cache}/mcp-platform/ajv), keyed by the set's key, ajv's version and the
 * options: a later process loads the generated module instead of loading ajv, meta-validating
 * and compiling the schemas again (measured: about 40 ms of each `npm run check`, and 0.5-0.8 s of
 * each test file that validated CloudNativePG objects). A cache that cannot be written is not an
 * error; the validators are compiled in memory. Within a process each set is loaded once.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Options, ValidateFunction } from "ajv";

const CACHE_DIR = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "mcp-platform", "ajv");
const loaded = new Map<string, Record<string, ValidateFunction>>();

/**
 * One validator per name of `schemas()`, for the set `key` names (whatever identifies the schemas'
 * content, e.g. the text they come from); `schemas` runs only when the set is not cached.
 */
export function cachedValidators(key: string, schemas: () => Record<string, object>, options: Options): Record<string, ValidateFunction> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hash = createHash("sha256").update(`${require("ajv/package.json").version}\0${JSON.stringify(options)}\0${key}`).digest("hex");
  let validators = loaded.get(hash);
  if (!validators) {
    const file = path.join(CACHE_DIR, `${hash}.js`);
    validators = evaluate(readIfThere(file) ?? compiled(schemas(), options, file));
    loaded.set(hash, validators);
  }
  return validators;
}

function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Standalone code exporting each schema's validator under its name, written to `file` when it can be. */
function compiled(schemas: Record<string, object>, options: Options, file: string): string {
  // Loaded only here: a cached set needs only ajv's small runtime helpers, which the code requires itself.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: Ajv } = require("ajv") as typeof import("ajv");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: standaloneCode } = require("ajv/dist/standalone") as typeof import("ajv/dist/standalone");
  const ajv = new Ajv({ ...options, code: { ...options.code, source: true } });
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(schema, name);
  const code = standaloneCode(ajv, Object.fromEntries(Object.keys(schemas).map((name) => [name, name])));
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Written whole under another name, then renamed: a reader never sees half a file.
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, file);
  } catch {
    // A read-only or full cache: compiled for this process only.
  }
  return code;
}

function evaluate(code: string): Record<string, ValidateFunction> {
  const module = { exports: {} as Record<string, ValidateFunction> };
  new Function("require", "module", "exports", code)(require, module, module.exports);
  return module.exports;
}
