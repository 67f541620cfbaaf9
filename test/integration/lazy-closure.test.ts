/**
 * Pulumi's function serialization loaded on first use (tools/lazy-closure.ts), in a real process:
 * loading the SDK through the stand-ins loads neither TypeScript's compiler nor npm's arborist until
 * a function is serialized, which still works; every function each real module exports has its
 * stand-in.
 */
import { spawnSync } from "child_process";
import { LAZY_MODULES } from "../../tools/lazy-closure";
import { PROJECT_DIR, TS_NODE_ARGS } from "../harness";

describe("Pulumi's function serialization, loaded on first use, in a real process", () => {
  it("keeps TypeScript and arborist out of a process until it serializes a function, which still works", () => {
    const script = `
      const { LAZY_MODULES, loadUncached } = require("./tools/lazy-closure");
      const loaded = (name) => Object.keys(require.cache).some((file) => file.includes("/node_modules/" + name + "/"));
      const state = () => ({ typescript: loaded("typescript"), arborist: loaded("@npmcli/arborist") });
      const pulumi = require("@pulumi/pulumi");
      const before = state();
      (async () => {
        const closure = await pulumi.runtime.serializeFunction(() => 42);
        const serialized = state();
        const root = await require("@pulumi/pulumi/runtime/closure/codePaths").findWorkspaceRoot(process.cwd());
        const after = state();
        const exported = Object.keys(LAZY_MODULES).map((id) => {
          const real = loadUncached(require.resolve(id));
          return Object.keys(real).filter((name) => typeof real[name] === "function").sort();
        });
        console.log(JSON.stringify({ before, serialized, after, text: closure.text.includes("42"), root, exported }));
      })();`;
    const run = spawnSync(process.execPath, [...TS_NODE_ARGS, "-e", script], { cwd: PROJECT_DIR, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      before: { typescript: false, arborist: false },
      serialized: { typescript: true, arborist: false },
      after: { typescript: true, arborist: true },
      text: true,
      root: null,
      // Every function each real module exports has its stand-in.
      exported: Object.values(LAZY_MODULES).map((names) => [...names].sort()),
    });
  });
});
