/**
 * Imported first by the commands that load Pulumi's SDKs (plan, check): the dependencies' source
 * maps are not read while their modules load.
 *
 * tsx turns Node's source maps on (for the project's own TypeScript), and with them on Node reads
 * and parses the source map of every module that names one, and measures every line of it, as the
 * module loads. The SDKs name one in each of their several hundred files: profiled, about a tenth
 * of a plan's time, for stack traces that point into node_modules/**\/*.ts instead of the .js that
 * runs. The project's own files keep theirs: an error in them still points at the TypeScript line.
 */
import Module from "module";
import * as path from "path";

const DEPENDENCIES = `${path.sep}node_modules${path.sep}`;
const prototype = Module.prototype as unknown as { _compile(this: unknown, content: string, filename: string): unknown };
const compile = prototype._compile;
/** How many dependencies' loads, one inside the other, have source maps turned off. */
let depth = 0;

/** Compiles (and runs) a module with source maps on or off, as they were around it afterwards. */
function compileWith(maps: boolean, module: unknown, content: string, filename: string): unknown {
  process.setSourceMapsEnabled(maps);
  depth += maps ? -1 : 1;
  try {
    return compile.call(module, content, filename);
  } finally {
    depth -= maps ? -1 : 1;
    process.setSourceMapsEnabled(!maps);
  }
}

prototype._compile = function (content, filename) {
  const dependency = filename.includes(DEPENDENCIES);
  // Off for a dependency where tsx turned them on; on again for a project file a dependency loads.
  if (dependency && process.sourceMapsEnabled) return compileWith(false, this, content, filename);
  if (!dependency && !process.sourceMapsEnabled && depth > 0) return compileWith(true, this, content, filename);
  return compile.call(this, content, filename);
};
