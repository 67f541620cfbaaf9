/**
 * The loader the commands run under (tools/ts-loader.cjs), on TypeScript files of its own in a
 * temporary directory, each run a real Node process: it compiles a file once and later runs read
 * the cache without starting esbuild; a changed file is compiled again; a stack trace points at the
 * TypeScript line; a file that does not compile names its line and column; a cache it cannot write
 * is no error.
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
});
