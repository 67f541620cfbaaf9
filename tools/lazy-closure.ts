/**
 * Imported before the SDK by render-stack.ts (so by every command that renders: plan, the bench's
 * empty program, the release tools) and by check.ts (whose policy pack loads the SDK too), and set
 * up for every test file (test/setup-lazy-closure.ts): Pulumi's function serialization is loaded
 * when it is first called instead of with the SDK.
 *
 * @pulumi/pulumi's runtime/index.js requires runtime/closure/serializeClosure and codePaths at load,
 * and they require TypeScript's compiler (typescript-shim) and npm's arborist, tar and glob (for
 * the code paths of a serialized function). Measured on this machine: `require("@pulumi/pulumi")`
 * takes 0.57 s, 0.18 s with these two modules loaded on first use. Nothing here calls them: they
 * serve dynamic providers and serialized callbacks (`pulumi up`'s own runner loads them itself).
 * Each stand-in forwards every function its module exports (test/lazy-closure.test.ts compares the
 * lists with the real modules, so an SDK upgrade that adds one fails there, not at a call).
 */
import Module from "module";
import * as path from "path";

type Functions = Record<string, (...args: unknown[]) => unknown>;

/** The modules loaded on first use, each with every function it exports. */
export const LAZY_MODULES: Readonly<Record<string, readonly string[]>> = {
  "@pulumi/pulumi/runtime/closure/serializeClosure": ["serializeFunction", "serializeFunctionAsync"],
  "@pulumi/pulumi/runtime/closure/codePaths": ["computeCodePaths", "findWorkspaceRoot"],
};

/** Functions named `names` that load the real module with `load` on the first call of any of them. */
export function forwarders(names: readonly string[], load: () => Functions): Functions {
  let real: Functions | undefined;
  return Object.fromEntries(names.map((name) => [name, (...args: unknown[]) => (real ??= load())[name](...args)]));
}

/** Loads the module at `filename` as Node would, without putting it in the require cache. */
export function loadUncached(filename: string): Functions {
  const real = new Module(filename);
  real.filename = filename;
  real.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(filename));
  (real as unknown as { load(filename: string): void }).load(filename);
  return real.exports as Functions;
}

for (const [id, names] of Object.entries(LAZY_MODULES)) {
  const filename = require.resolve(id);
  const standIn = new Module(filename);
  standIn.filename = filename;
  standIn.loaded = true;
  standIn.exports = forwarders(names, () => loadUncached(filename));
  require.cache[filename] = standIn;
}
