/**
 * The policy pack as `pulumi policy publish` ships it and Pulumi Cloud's enforcement installs it:
 * `npm pack` in policies/, the tarball unpacked into an empty folder outside the repository, its
 * dependencies installed there from its own lockfile, and the pack run there on a plan.
 *
 * What this mirrors, from the Pulumi CLI's source (pulumi/pulumi, pkg/backend/httpstate/policypack.go):
 * publishing a Node.js pack runs `npm pack` in its folder and uploads that tarball; installing a
 * required pack extracts the tarball, moves its `package/` folder into place, reads PulumiPolicy.yaml
 * and installs the dependencies there. The analyzer is then started by the pulumi-analyzer-policy
 * script, which resolves `@pulumi/pulumi/cmd/run-policy-pack` from the pack's folder, as
 * PolicyPackSession.start does.
 *
 * The dependencies are installed by `npm ci` from the pack's own lockfile once per lockfile: the
 * tree it installs is kept outside the checkout (~/.cache/mcp-platform/policy-pack, keyed by the
 * lockfile, package.json, Node's and npm's versions) and hard-linked into each run's folder. The
 * same lockfile installs the same tree, and `npm ci` of some 8,800 files was 10 s of CPU a run,
 * a tenth of the whole suite's. Delete the folder to install afresh.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR, render, runScript } from "../harness";
import { tempDir } from "./real-tools";

const POLICIES = path.join(PROJECT_DIR, "policies");

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 300000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} in ${cwd} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/** Gives the pack in `folder` the node_modules `npm ci` installs from its lockfile: from the cache, or installed (and cached) now. */
function installDependencies(folder: string): void {
  const key = createHash("sha256");
  for (const file of ["npm-shrinkwrap.json", "package.json"]) key.update(fs.readFileSync(path.join(folder, file))).update("\0");
  key.update(`${process.version}\0${run("npm", ["--version"], folder)}`);
  const cacheRoot = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "mcp-platform", "policy-pack");
  const cached = path.join(cacheRoot, key.digest("hex").slice(0, 32));
  if (!fs.existsSync(cached)) {
    run("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], folder);
    // Kept whole or not at all: a copy under another name, renamed into place.
    fs.mkdirSync(cacheRoot, { recursive: true });
    const partial = `${cached}.${process.pid}`;
    run("cp", ["-a", path.join(folder, "node_modules"), partial], folder);
    try {
      fs.renameSync(partial, cached);
    } catch {
      fs.rmSync(partial, { recursive: true, force: true }); // another run cached it first
    }
    return;
  }
  // Hard links where the cache and the folder share a file system, a copy where they do not.
  const linked = spawnSync("cp", ["-al", cached, path.join(folder, "node_modules")]);
  if (linked.status !== 0) {
    fs.rmSync(path.join(folder, "node_modules"), { recursive: true, force: true });
    run("cp", ["-a", cached, path.join(folder, "node_modules")], folder);
  }
}

describe("the policy pack, packed and installed on its own", () => {
  let installed: string;
  let planFile: string;
  beforeAll(async () => {
    const work = tempDir("mcp-pack-");
    const [{ filename }] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], POLICIES)) as { filename: string }[];
    const empty = path.join(work, "installed");
    fs.mkdirSync(empty);
    run("tar", ["-xzf", path.join(work, filename), "-C", empty], work);
    installed = path.join(empty, "package");
    installDependencies(installed);
    // A plan with violations (staging's resources under production's rules), so the pack has something to find.
    planFile = path.join(work, "staging.json");
    fs.writeFileSync(planFile, JSON.stringify(await render("staging")));
  }, 600000);

  it("holds the pack's files, its lockfile and nothing from outside policies/", () => {
    const files = fs.readdirSync(installed).filter((f) => f !== "node_modules").sort();
    expect(files).toEqual(expect.arrayContaining(["PulumiPolicy.yaml", "package.json", "npm-shrinkwrap.json", "tsconfig.json", "index.ts", "contract.ts", "config"]));
    for (const file of files.filter((f) => f.endsWith(".ts"))) {
      expect({ file, outside: fs.readFileSync(path.join(installed, file), "utf8").match(/from "\.\.\/[^"]*"/g) ?? [] }).toEqual({ file, outside: [] });
    }
  });

  it("runs on its own dependencies and finds what the repository's copy finds", async () => {
    // The runner comes from the installed pack's own @pulumi/pulumi, not the repository's.
    expect(require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [installed] })).toContain(installed);
    const args = ["--plan", planFile, "--policy-config", path.join(POLICIES, "config", "production.json"), "--format", "json"];
    const [own, repository] = await Promise.all([runScript("tools/check.ts", ...args, "--policy-pack", installed), runScript("tools/check.ts", ...args)]);
    expect(own.stderr).toBe("");
    expect(own.code).toBe(1);
    const violations = (output: string) => (JSON.parse(output) as { violations: { policy: string; urn: string }[] }[])[0].violations.map((v) => `${v.policy} ${v.urn}`).sort();
    expect(violations(own.stdout).length).toBeGreaterThan(0);
    expect(violations(own.stdout)).toEqual(violations(repository.stdout));
  }, 120000);
});
