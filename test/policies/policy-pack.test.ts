/**
 * policies/ is a self-contained CrossGuard pack (what `pulumi policy publish` ships is `npm pack`
 * of that folder): it imports nothing from outside it, declares every package it imports, and
 * locks them (npm-shrinkwrap.json, which npm pack includes) at the versions the repository runs.
 * test/integration/policy-pack.test.ts packs it, installs it alone and runs it.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../harness";

const POLICIES = path.join(PROJECT_DIR, "policies");
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const pack = readJson(path.join(POLICIES, "package.json"));
const root = readJson(path.join(PROJECT_DIR, "package.json"));

/** Every module specifier a TypeScript file imports or re-exports. */
const importsOf = (text: string) => [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"/g)].map((m) => m[1]);
const sources = fs.readdirSync(POLICIES).filter((f) => f.endsWith(".ts"));

describe("the policy pack is self-contained", () => {
  it("imports nothing from outside policies/", () => {
    for (const file of sources) {
      const outside = importsOf(fs.readFileSync(path.join(POLICIES, file), "utf8")).filter((m) => m.startsWith(".") && !path.resolve(POLICIES, m).startsWith(`${POLICIES}${path.sep}`));
      expect({ file, outside }).toEqual({ file, outside: [] });
    }
  });

  it("declares every package it imports in its own package.json", () => {
    const packages = new Set(sources.flatMap((file) => importsOf(fs.readFileSync(path.join(POLICIES, file), "utf8")).filter((m) => !m.startsWith("."))));
    const declared = Object.keys(pack.dependencies);
    for (const name of packages) expect(declared).toContain(name.startsWith("@") ? name.split("/").slice(0, 2).join("/") : name.split("/")[0]);
    // The runner type-checks the pack when it starts: TypeScript is a runtime dependency of the pack.
    expect(declared).toContain("typescript");
  });

  it("pins the versions the repository runs, and its lockfile matches them", () => {
    const rootVersions = { ...root.dependencies, ...root.devDependencies };
    for (const [name, version] of Object.entries(pack.dependencies)) expect({ name, version }).toEqual({ name, version: rootVersions[name] });
    const lock = readJson(path.join(POLICIES, "npm-shrinkwrap.json"));
    expect(lock.packages[""].dependencies).toEqual(pack.dependencies);
    const rootLock = readJson(path.join(PROJECT_DIR, "package-lock.json")).packages;
    const differing = Object.entries(lock.packages as Record<string, { version?: string }>).filter(([key, entry]) => key && entry.version !== rootLock[key]?.version);
    expect(differing).toEqual([]);
  });

  it("ships its sources, config and lockfile", () => {
    expect(pack.files).toEqual(expect.arrayContaining(["*.ts", "tsconfig.json", "PulumiPolicy.yaml", "config/*.json", "npm-shrinkwrap.json"]));
  });
});
