/**
 * The loader the commands run under (tools/ts-loader.cjs), on TypeScript files of its own in a
 * temporary directory, each run a real Node process: it compiles a file once and later runs read
 * the cache without starting esbuild; a changed file is compiled again; a stack trace points at the
 * TypeScript line; a file that does not compile names its line and column; a cache it cannot write
 * is no error. A dependency's JavaScript is compiled with a V8 code cache, and behaves as Node's own
 * loader makes it behave (the same program run by plain Node is the reference).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { TS_NODE_ARGS } from "../harness";
import { tempDir } from "./real-tools";

/** Runs `file` under the loader with `cache` as its cache; what it printed and whether esbuild was loaded. */
function run(file: string, cache: string) {
  const probe = `process.on("exit", () => process.stderr.write(Object.keys(require.cache).some((f) => f.includes("/node_modules/esbuild/lib/")) ? "esbuild:loaded" : "esbuild:not-loaded"));`;
  const result = spawnSync(process.execPath, [...TS_NODE_ARGS, "-e", `${probe} require(${JSON.stringify(file)})`], { env: { ...process.env, MCP_TS_CACHE: cache }, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.replace(/esbuild:(not-)?loaded$/, ""), esbuild: result.stderr.endsWith("esbuild:loaded") };
}

const cached = (cache: string) => (fs.existsSync(cache) ? fs.readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith(".js")).length : 0);

describe("the TypeScript loader (tools/ts-loader.cjs)", () => {
  const dir = tempDir("mcp-ts-loader-");
  const file = path.join(dir, "hello.ts");

  it("compiles a file once: the next run reads the cache and loads no esbuild; a change compiles again", () => {
    const cache = path.join(dir, "cache-1");
    fs.writeFileSync(file, 'interface Greeting { to: string }\nconst g: Greeting = { to: "world" };\nconsole.log(`hello ${g.to}`);\n');
    expect(run(file, cache)).toEqual({ status: 0, stdout: "hello world\n", stderr: "", esbuild: true });
    expect(cached(cache)).toBe(1);
    expect(run(file, cache)).toEqual({ status: 0, stdout: "hello world\n", stderr: "", esbuild: false });
    fs.writeFileSync(file, 'const to: string = "again";\nconsole.log(`hello ${to}`);\n');
    expect(run(file, cache)).toEqual({ status: 0, stdout: "hello again\n", stderr: "", esbuild: true });
    expect(cached(cache)).toBe(2);
  });

  it("points a stack trace at the TypeScript line, from the cache too", () => {
    const cache = path.join(dir, "cache-2");
    // Types and a blank line before the throw: esbuild's output has the throw on another line.
    fs.writeFileSync(file, 'type Id = string;\n\ninterface Box {\n  id: Id;\n}\nconst box: Box = { id: "b" };\nfunction boom(): never {\n  throw new Error(`boom ${box.id}`);\n}\nboom();\n');
    for (const attempt of [1, 2]) {
      const result = run(file, cache);
      expect({ attempt, status: result.status }).toEqual({ attempt, status: 1 });
      expect(result.stderr).toContain(`at boom (${file}:8:9)`);
    }
  });

  it("names the line and column of a file that does not compile", () => {
    fs.writeFileSync(file, "const ok = 1;\nconst broken: number = ;\n");
    const result = run(file, path.join(dir, "cache-3"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`SyntaxError: ${file}:2:24: Unexpected ";"`);
    expect(result.stderr).toContain("run npm run typecheck for every error");
  });

  it("runs with a cache it cannot write", () => {
    const blocked = path.join(dir, "not-a-directory");
    fs.writeFileSync(blocked, "");
    fs.writeFileSync(file, "console.log(40 + 2);\n");
    expect(run(file, path.join(blocked, "cache"))).toEqual({ status: 0, stdout: "42\n", stderr: "", esbuild: true });
  });

  describe("a dependency's code cache", () => {
    const project = tempDir("mcp-ts-loader-dep-");
    const dep = path.join(project, "node_modules", "dep");
    fs.mkdirSync(dep, { recursive: true });
    fs.writeFileSync(path.join(dep, "package.json"), '{ "name": "dep", "main": "index.js" }\n');
    fs.writeFileSync(path.join(dep, "other.js"), "module.exports = 'other';\n");
    fs.writeFileSync(path.join(dep, "later.mjs"), "export const later = 'imported';\n");
    fs.writeFileSync(path.join(dep, "lazy.js"), "module.exports = () => import('./later.mjs').then((m) => m.later);\n");
    fs.writeFileSync(
      path.join(dep, "index.js"),
      [
        "exports.facts = [__filename === require.resolve('dep'), require('./other'), require.resolve.paths('x').length > 0, require.cache[__filename] === module, this === exports, require.main === process.mainModule];",
        "exports.later = require('./lazy');",
        "exports.boom = function boom() {",
        "  throw new Error('boom in a dependency');",
        "};",
      ].join("\n"),
    );
    fs.mkdirSync(path.join(project, "node_modules", "esm-syntax"));
    fs.writeFileSync(path.join(project, "node_modules", "esm-syntax", "index.js"), "export const esm = 'esm syntax';\n");
    const entry = path.join(project, "entry.js");
    fs.writeFileSync(
      entry,
      [
        "const dep = require('dep');",
        "console.log(JSON.stringify(dep.facts));",
        "let esm;",
        "try { esm = require('esm-syntax').esm; } catch (error) { esm = error.name; }",
        "console.log(esm);",
        "dep.later().then((later) => { console.log(later); try { dep.boom(); } catch (error) { console.log(error.stack.split('\\n').slice(0, 2).join(' | ')); } });",
      ].join("\n"),
    );
    const node = (args: string[], cache: string) => spawnSync(process.execPath, [...args, "-e", `require(${JSON.stringify(entry)})`], { env: { ...process.env, MCP_TS_CACHE: cache }, encoding: "utf8" });
    const entries = (cache: string) => (fs.existsSync(cache) ? fs.readdirSync(cache, { recursive: true }).map(String).filter((f) => f.endsWith(".v8")) : []);

    it("gives the module what Node gives it (require, resolve, cache, import(), stack lines), and V8 takes the cache on the next run", () => {
      const cache = path.join(project, "cache");
      const plain = node([], cache);
      expect(plain.stderr).toBe("");
      expect(plain.stdout).toContain("boom in a dependency");
      expect(plain.stdout).toContain(`${path.join(dep, "index.js")}:4:`);
      const first = node(TS_NODE_ARGS, cache);
      expect({ status: first.status, stdout: first.stdout, stderr: first.stderr }).toEqual({ status: plain.status, stdout: plain.stdout, stderr: plain.stderr });
      // dep/index.js and dep/other.js; Node itself compiles lazy.js (it calls import()), the ES module and the file of ES module syntax.
      const written = entries(cache);
      expect(written).toHaveLength(2);
      const inodes = written.map((f) => fs.statSync(path.join(cache, f)).ino);
      const second = node(TS_NODE_ARGS, cache);
      expect(second.stdout).toBe(plain.stdout);
      // A cache V8 refused would be written again (a new file under the same name).
      expect(entries(cache).map((f) => fs.statSync(path.join(cache, f)).ino)).toEqual(inodes);
    });

    it("compiles a changed dependency again", () => {
      const cache = path.join(project, "cache-changed");
      node(TS_NODE_ARGS, cache);
      fs.writeFileSync(path.join(dep, "other.js"), "module.exports = 'changed';\n");
      const changed = node(TS_NODE_ARGS, cache);
      expect(changed.stdout).toContain('"changed"');
      expect(entries(cache)).toHaveLength(3);
    });
  });
});
