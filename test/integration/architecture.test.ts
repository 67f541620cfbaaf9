/**
 * The architecture's rules (.dependency-cruiser.cjs), run by the real dependency-cruiser as
 * `npm run lint` runs it: each rule refuses the import it is there to refuse, shown on a small tree
 * of files that breaks every rule once beside imports that are allowed. That the project keeps them
 * is `npm run lint`'s own check (CI runs it on every change).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../harness";

const DEPCRUISE = path.join(PROJECT_DIR, "node_modules", ".bin", "depcruise");
const ROOTS = ["components", "config", "policies", "tools", "index.ts"];

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function cruise(dir: string): Violation[] {
  const run = spawnSync(DEPCRUISE, [...ROOTS.filter((root) => fs.existsSync(path.join(dir, root))), "--config", path.join(PROJECT_DIR, ".dependency-cruiser.cjs"), "--output-type", "json"], {
    cwd: dir,
    encoding: "utf8",
  });
  if (run.error) throw run.error;
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

/** Each file of the tree and what it imports. */
const TREE: Record<string, string[]> = {
  "components/a/render.ts": ["../b/render", "../b/public", "./own"],
  "components/a/own.ts": [],
  "components/b/render.ts": [],
  "components/b/public.ts": [],
  "components/b/index.ts": ["./render"],
  "components/shared.ts": ["./b/render", "./b/index"],
  "components/c/one.ts": ["./two"],
  "components/c/two.ts": ["./one"],
  "config/schema.ts": ["../components/b/public"],
  "policies/pack.ts": ["../config/schema", "./lib"],
  "policies/lib.ts": [],
  "tools/plan.ts": ["../components/a/own", "../components/b/index"],
  "index.ts": ["./tools/plan", "./components/b/index"],
};

describe("the architecture", () => {
  it("each rule refuses the import it is about, and only that", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "architecture-"));
    try {
      fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", target: "es2022" } }));
      for (const [file, imports] of Object.entries(TREE)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), `${imports.map((spec, i) => `import * as m${i} from "${spec}";\nvoid m${i};\n`).join("")}export const x = 1;\n`);
      }
      const found = cruise(dir).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
      expect(found.sort()).toEqual(
        [
          "component-internals: components/a/render.ts -> components/b/render.ts",
          "internals-from-outside: components/shared.ts -> components/b/render.ts",
          "internals-from-outside: tools/plan.ts -> components/a/own.ts",
          "no-circular: components/c/one.ts -> components/c/two.ts",
          "config-is-a-leaf: config/schema.ts -> components/b/public.ts",
          "policies-self-contained: policies/pack.ts -> config/schema.ts",
          "program-without-tools: index.ts -> tools/plan.ts",
        ].sort(),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
