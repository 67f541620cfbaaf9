/**
 * tools/ajv-cache.ts: validators compiled once into standalone code in a cache directory; a fresh
 * module registry (as a new process has) reads them back without compiling, with the same errors
 * and defaults; a cache that cannot be written still gives working validators.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

type Module = typeof import("../tools/ajv-cache");
const SCHEMAS = { port: { type: "object", properties: { port: { type: "integer", default: 8080 } }, additionalProperties: false } };
const OPTIONS = { useDefaults: true, allErrors: true, strict: false };

/** The module as a new process loads it, with XDG_CACHE_HOME at `home`. */
function fresh(home: string): Module {
  const before = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = home;
  try {
    let loaded: Module | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require("../tools/ajv-cache") as Module;
    });
    return loaded!;
  } finally {
    if (before === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = before;
  }
}

function expectWorking(validate: import("ajv").ValidateFunction): void {
  const data: Record<string, unknown> = {};
  expect(validate(data)).toBe(true);
  expect(data).toEqual({ port: 8080 });
  expect(validate({ port: "x", extra: 1 })).toBe(false);
  expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`).sort()).toEqual([" must NOT have additional properties", "/port must be integer"]);
}

describe("cached ajv validators", () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-ajv-cache-"));

  it("compiles a set once, and a new process reads it from the cache without compiling", () => {
    const first = fresh(home).cachedValidators("set-1", () => SCHEMAS, OPTIONS);
    expectWorking(first.port);
    expect(fs.readdirSync(path.join(home, "mcp-platform", "ajv")).filter((f) => f.endsWith(".js"))).toHaveLength(1);
    const again = fresh(home).cachedValidators("set-1", () => {
      throw new Error("compiled again");
    }, OPTIONS);
    expectWorking(again.port);
  });

  it("compiles a set under another key, or with other options, on its own", () => {
    const schemas = jest.fn(() => SCHEMAS);
    const module = fresh(home);
    module.cachedValidators("set-2", schemas, OPTIONS);
    module.cachedValidators("set-2", schemas, { ...OPTIONS, allErrors: false });
    module.cachedValidators("set-2", schemas, OPTIONS);
    expect(schemas).toHaveBeenCalledTimes(2);
  });

  it("gives working validators when the cache cannot be written", () => {
    const blocked = path.join(home, "a-file");
    fs.writeFileSync(blocked, "");
    expectWorking(fresh(blocked).cachedValidators("set-3", () => SCHEMAS, OPTIONS).port);
  });
});
