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
 * The dependencies' JavaScript is compiled by V8 with a code cache kept beside the compiled files
 * (what Node 22's module.enableCompileCache does; Node 20 has none): V8's compilation of the SDKs'
 * modules was a fifth of each command's CPU, and the commands start some hundred times in a test
 * run. A module's cache is keyed by its path and text and written once the process has run (so the
 * functions it compiled lazily are in it too); V8 refuses a cache of another version or flags, and
 * the module is then compiled as Node does. Left to Node: a module Node would load another way (ES
 * module syntax in a .js file), and one that may call import() (Node 20 gives a script compiled
 * this way its own loader for that only under an experimental flag, with a warning on stderr).
 *
 * MCP_TS_CACHE names another cache directory; a cache that cannot be written is not an error (each
 * run compiles again). The cache only grows: delete the directory to empty it.
 */
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const os = require("os");
const path = require("path");
const vm = require("vm");

const TSCONFIG = fs.readFileSync(path.join(__dirname, "..", "tsconfig.json"), "utf8");
const ESBUILD_VERSION = require("esbuild/package.json").version;
const CACHE_DIR =
  process.env.MCP_TS_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "mcp-platform", "ts", `esbuild-${ESBUILD_VERSION}`);
const DEPENDENCIES = `${path.sep}node_modules${path.sep}`;

/** @type {import("esbuild") | undefined} loaded only when a file is not in the cache */
let esbuild;

/** Where the cache keeps what it derives from `text` (a file's path, its text and what else it depends on). */
function cachePath(text, extension) {
  const key = crypto.createHash("sha256").update(text).digest("hex");
  return path.join(CACHE_DIR, key.slice(0, 2), `${key}${extension}`);
}

/** Writes a cache entry whole under another name, then renames it: a reader never sees half a file. */
function store(file, data) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, data);
    fs.renameSync(partial, file);
  } catch {
    // A read-only or full cache: this run compiled it, the next will again.
  }
}

/** The compiled JavaScript of a TypeScript file, from the cache or compiled (and cached) now. */
function compiled(filename, source) {
  const cached = cachePath(`${filename}\0${ESBUILD_VERSION}\0${process.versions.node}\0${TSCONFIG}\0${source}`, ".js");
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // Not compiled yet.
  }
  const code = transpile(filename, source);
  store(cached, code);
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
  if (!maps) {
    const wrapper = compiledWithCache(content, filename);
    if (wrapper) return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  }
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

/** What may be a call of import() (a mention in a comment or a string too: Node then compiles the module). */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

/** @type {Array<[string, vm.Script]>} scripts compiled without a usable cache, whose code cache is written when the process exits */
const uncached = [];
process.once("exit", () => {
  for (const [file, script] of uncached) store(file, script.createCachedData());
});

/**
 * A dependency's module function compiled by V8 from its code cache (see the top), or undefined
 * when Node is to compile it its own way: a text that is not a CommonJS script, or may call
 * import(). Source maps are off while it compiles, as for every dependency.
 * @param {string} content @param {string} filename @returns {Function | undefined}
 */
function compiledWithCache(content, filename) {
  if (DYNAMIC_IMPORT.test(content)) return undefined;
  const file = cachePath(`${filename}\0${process.versions.v8}\0${content}`, ".v8");
  /** @type {Buffer | undefined} */
  let cachedData;
  try {
    cachedData = fs.readFileSync(file);
  } catch {
    // Not cached yet.
  }
  const around = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) uncached.push([file, script]);
    return script.runInThisContext({ displayErrors: true });
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  } finally {
    process.setSourceMapsEnabled(around);
  }
}

/** The `require` a module's code is given, as Node makes it (lib/internal/modules/helpers.js, makeRequireFunction). @param {Module} module */
function requireFor(module) {
  const require = /** @type {NodeJS.Require} */ ((/** @type {string} */ id) => module.require(id));
  const internal = /** @type {{ _resolveFilename(r: string, m: Module, main: boolean, o?: unknown): string; _resolveLookupPaths(r: string, m: Module): string[] | null; _extensions: NodeJS.RequireExtensions; _cache: NodeJS.Dict<NodeJS.Module> }} */ (/** @type {unknown} */ (Module));
  const resolve = /** @type {NodeJS.RequireResolve} */ ((request, options) => internal._resolveFilename(request, module, false, options));
  resolve.paths = (request) => internal._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = internal._extensions;
  require.cache = internal._cache;
  return require;
}
