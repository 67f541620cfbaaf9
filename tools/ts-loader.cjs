// @ts-check
/**
 * The loader every command of the project runs under: `node --require ./tools/ts-loader.cjs tools/X.ts`
 * (the npm scripts). Each of the project's .ts files is compiled by esbuild the first time it is
 * loaded and kept in a cache outside the checkout, keyed by its path, its text, tsconfig.json,
 * esbuild's and Node's versions: every later run reads the compiled file and starts no compiler.
 *
 * Why not tsx, which the commands ran under before: its ESM hooks run in a thread of their own that
 * each load waits on, and its CLI starts a second Node process; measured on this machine, a bare
 * `node --import tsx` took 0.28-0.39 s against 0.08 s for node, the tsx CLI 0.45-0.55 s, and
 * tsx's require-only mode ran a lexer over every .js file in node_modules. This loader touches
 * .ts files only, in the process that runs the command.
 *
 * Source maps: on for the project's files, so a stack trace points at the TypeScript line; off
 * while a dependency compiles, as Node otherwise reads and measures the source map of each of the
 * SDKs' several hundred files as it loads (profiled before: about a tenth of a plan's time).
 *
 * MCP_TS_CACHE names another cache directory; a cache that cannot be written is not an error (each
 * run compiles again). The cache only grows: delete the directory to empty it.
 */
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const os = require("os");
const path = require("path");

const TSCONFIG = fs.readFileSync(path.join(__dirname, "..", "tsconfig.json"), "utf8");
const ESBUILD_VERSION = require("esbuild/package.json").version;
const CACHE_DIR =
  process.env.MCP_TS_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "mcp-platform", "ts", `esbuild-${ESBUILD_VERSION}`);
const DEPENDENCIES = `${path.sep}node_modules${path.sep}`;

/** @type {import("esbuild") | undefined} loaded only when a file is not in the cache */
let esbuild;

/** The compiled JavaScript of a TypeScript file, from the cache or compiled (and cached) now. */
function compiled(filename, source) {
  const key = crypto.createHash("sha256").update(`${filename}\0${ESBUILD_VERSION}\0${process.versions.node}\0${TSCONFIG}\0${source}`).digest("hex");
  const cached = path.join(CACHE_DIR, key.slice(0, 2), `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // Not compiled yet.
  }
  const code = transpile(filename, source);
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    // Written whole under another name, then renamed: a reader never sees half a file.
    const partial = `${cached}.${process.pid}`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  } catch {
    // A read-only or full cache: this run compiled it, the next will again.
  }
  return code;
}

/** esbuild's compilation of one file; a file that does not compile fails with each error at its line and column. */
function transpile(filename, source) {
  esbuild ??= require("esbuild");
  try {
    return esbuild.transformSync(source, {
      loader: "ts",
      format: "cjs",
      target: `node${process.versions.node}`,
      sourcemap: "inline",
      sourcefile: filename,
      tsconfigRaw: TSCONFIG,
    }).code;
  } catch (error) {
    /** @type {import("esbuild").Message[]} */
    const errors = /** @type {{ errors?: import("esbuild").Message[] }} */ (error).errors ?? [];
    if (errors.length === 0) throw error;
    const where = (/** @type {import("esbuild").Message} */ e) => (e.location ? `${filename}:${e.location.line}:${e.location.column + 1}: ` : `${filename}: `);
    throw new SyntaxError(`${errors.map((e) => `${where(e)}${e.text}`).join("\n")}\n(this TypeScript does not compile: fix it, or run npm run typecheck for every error)`);
  }
}

/** @param {Module & { _compile(content: string, filename: string): unknown }} module @param {string} filename */
function loadTypeScript(module, filename) {
  module._compile(compiled(filename, fs.readFileSync(filename, "utf8")), filename);
}
/** @type {Record<string, unknown>} */ (/** @type {unknown} */ (Module)._extensions)[".ts"] = loadTypeScript;

const prototype = /** @type {{ _compile(this: unknown, content: string, filename: string): unknown }} */ (/** @type {unknown} */ (Module.prototype));
const compile = prototype._compile;
process.setSourceMapsEnabled(true);
prototype._compile = function (content, filename) {
  const maps = !filename.includes(DEPENDENCIES);
  const around = process.sourceMapsEnabled;
  if (maps === around) return compile.call(this, content, filename);
  // A dependency's load turns them off; a project file a dependency loads (the program) turns them on again.
  process.setSourceMapsEnabled(maps);
  try {
    return compile.call(this, content, filename);
  } finally {
    process.setSourceMapsEnabled(around);
  }
};
