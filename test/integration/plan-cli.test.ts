/** `npm run plan` as a user runs it: a separate process, real files, exit codes. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackValues, runScript, writeStackFile } from "../harness";

const plan = (...args: string[]) => runScript("tools/plan.ts", ...args);

describe("npm run plan", () => {
  it("prints the tree and counts, and writes the plan and the manifests", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-plan-"));
    const result = await plan("--stack", "production", "--json", path.join(dir, "plan.json"), "--out", path.join(dir, "manifests"));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pulumi:pulumi:Stack mcp-platform-production$/m);
    expect(result.stdout).toMatch(/├─ kubernetes:core\/v1:Namespace stack-namespace {2}\[protected\]/);
    expect(result.stdout).toMatch(/^ +4 +kubernetes:apps\/v1:Deployment$/m);

    const written = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8"));
    expect(Object.keys(written)).toEqual(["project", "stack", "resources", "outputs"]);
    expect(written).toMatchObject({ project: "mcp-platform", stack: "production" });
    expect(Object.keys(written.resources[0])).toEqual(["urn", "type", "name", "custom", "parent", "inputs", "options"]);
    expect(JSON.stringify(written)).not.toContain("mock-app-secrets");
    expect(fs.readdirSync(path.join(dir, "manifests")).sort()).toEqual([
      "api.yaml",
      "app-secrets.yaml",
      "backup-jobs.yaml",
      "backups.yaml",
      "config",
      "edge.yaml",
      "monitoring-stack.yaml",
      "monitoring.yaml",
      "postgres.yaml",
      "redis-cache.yaml",
      "redis-queue.yaml",
      "stack.yaml",
      "worker.yaml",
    ]);
    const configDir = path.join(dir, "manifests", "config");
    expect(fs.readdirSync(configDir).sort()).toEqual(["backup-scripts", "dashboard-overview", "edge-nginx", "loki-rules", "postgres-monitoring", "redis-cache-config", "redis-queue-config", "restore-drill-cluster"]);
    expect(fs.readFileSync(path.join(configDir, "edge-nginx", "nginx.conf"), "utf8")).toMatch(/^# nginx\.conf of the mcp-platform edge/);
    expect(fs.readFileSync(path.join(configDir, "redis-queue-config", "redis.conf"), "utf8")).toMatch(/^appendonly yes$/m);
    expect(fs.readFileSync(path.join(dir, "manifests", "app-secrets.yaml"), "utf8")).toContain('stringData: "[secret]"');
  });

  it("exits 2 with one line per problem on invalid configuration", async () => {
    const values = readStackValues("staging");
    values["mcp-platform:services"].api.replicas = "two";
    values["mcp-platform:services"].worker.imagee = {};
    const result = await plan("--stack", "staging", "--config-file", writeStackFile(values));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual([
      "error: invalid stack configuration:",
      '  mcp-platform:services.api.replicas: expected a value of type number; got "two"',
      expect.stringMatching(/^ {2}mcp-platform:services\.worker\.imagee: unknown key; did you mean "image"\?/),
    ]);
  });

  it("exits 2 naming the missing stack file", async () => {
    const result = await plan("--stack", "prod");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*Pulumi\.prod\.yaml: cannot read the stack file of "prod"/);
  });

  it("exits 2 on an unknown option, with the usage", async () => {
    const result = await plan("--stack", "staging", "--jsn", "x");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--jsn'[\s\S]*usage: npm run plan -- --stack/);
  });
});
