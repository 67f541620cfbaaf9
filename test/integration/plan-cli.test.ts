/** `npm run plan` as a user runs it: a separate process, real files (--json, --out), exit codes, bad input refused at exit 2 without a stack trace. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { isKubernetesObject, planCounts } from "../../tools/plan-format";
import type { Plan } from "../../tools/render-stack";
import { readStackValues, runScript, writeStackFile, type K8sObject, type StackValues } from "../harness";
import { changeOf, REJECTED } from "../config/server-cases";
import { validateObject } from "../k8s-schema";
import { hasBinary, runTool } from "./real-tools";

const plan = (...args: string[]) => runScript("tools/plan.ts", ...args);

describe("npm run plan", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-plan-"));
  const out = path.join(dir, "manifests");
  let result: Awaited<ReturnType<typeof plan>>;
  let written: Plan;
  beforeAll(async () => {
    result = await plan("--stack", "production", "--json", path.join(dir, "plan.json"), "--out", out);
    written = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8"));
  }, 60000);

  it("prints the tree and counts, and says what its total is made of", () => {
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pulumi:pulumi:Stack mcp-platform-production$/m);
    expect(result.stdout).toMatch(/├─ kubernetes:core\/v1:Namespace stack-namespace {2}\[protected\]/);
    expect(result.stdout).toMatch(/^ +4 +kubernetes:apps\/v1:Deployment$/m);
    // 117 = 102 resources (the number npm run check reports) + 1 provider + 13 components + the stack.
    const counts = planCounts(written);
    expect(counts.total).toBe(counts.checked + counts.providers + counts.components + 1);
    expect(result.stdout).toContain(`  ${counts.total}  total: ${counts.checked} resources (what npm run check analyzes), ${counts.providers} provider(s), ${counts.components} components, the stack\n`);
  });

  it("writes the plan as JSON, naming the stack file, with no secret value", () => {
    expect(Object.keys(written)).toEqual(["project", "stack", "stackFile", "resources", "outputs"]);
    expect(written).toMatchObject({ project: "mcp-platform", stack: "production", stackFile: "Pulumi.production.yaml" });
    expect(Object.keys(written.resources[0])).toEqual(["urn", "type", "name", "custom", "parent", "inputs", "options"]);
    expect(JSON.stringify(written)).not.toMatch(/mock-/);
  });

  it("writes every Kubernetes object per component, and every Secret with its keys and masked values, valid against its schema", () => {
    expect(fs.readdirSync(out).sort()).toEqual([
      "api.yaml",
      "app-secrets.yaml",
      "backup-jobs.yaml",
      "backups.yaml",
      "config",
      "edge.yaml",
      "helm",
      "monitoring-stack.yaml",
      "monitoring.yaml",
      "postgres.yaml",
      "redis-cache.yaml",
      "redis-queue.yaml",
      "stack.yaml",
      "worker.yaml",
    ]);
    const documents = fs
      .readdirSync(out)
      .filter((f) => f.endsWith(".yaml"))
      .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(out, f), "utf8")).map((d) => d.toJS() as K8sObject));
    expect(documents).toHaveLength(written.resources.filter(isKubernetesObject).length);
    const secrets = documents.filter((d) => d.kind === "Secret");
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual(["alertmanager-mcp-platform", "app-secrets", "backup-s3-credentials", "backup-s3-reader-credentials", "postgres-app-credentials", "redis-cache-auth", "redis-queue-auth"]);
    expect(secrets.find((s) => s.metadata.name === "postgres-app-credentials")!.stringData).toEqual({ username: "[secret]", password: "[secret]" });
    for (const secret of secrets) expect(() => validateObject(secret)).not.toThrow();
    expect(fs.readFileSync(path.join(out, "app-secrets.yaml"), "utf8")).not.toMatch(/mock-/);
  });

  it("writes each Helm release's chart, version, namespace and values (8 in production)", () => {
    const releases = written.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    expect(releases).toHaveLength(8);
    for (const release of releases) {
      const { name, namespace, chart, version, values } = release.inputs as Record<string, unknown>;
      const file = path.join(out, "helm", String(namespace), `${name}.yaml`);
      expect(parse(fs.readFileSync(file, "utf8"))).toMatchObject({ name, chart, version, namespace });
      expect(fs.readFileSync(file, "utf8")).toMatch(new RegExp(`^#   helm template ${name} ${chart} --repo \\S+ --version ${version} --namespace ${namespace} --values ${namespace}/${name}\\.values\\.yaml$`, "m"));
      expect(parse(fs.readFileSync(path.join(out, "helm", String(namespace), `${name}.values.yaml`), "utf8"))).toEqual(values);
    }
  });

  it("writes the generated config files: nginx.conf, redis.conf and the Alertmanager configuration amtool accepts", () => {
    const configDir = path.join(out, "config");
    expect(fs.readdirSync(configDir).sort()).toEqual([
      "alertmanager-mcp-platform",
      "backup-scripts",
      "dashboard-overview",
      "edge-nginx",
      "loki-rules",
      "postgres-monitoring",
      "redis-cache-config",
      "redis-queue-config",
      "restore-drill-cluster",
    ]);
    expect(fs.readFileSync(path.join(configDir, "edge-nginx", "nginx.conf"), "utf8")).toMatch(/^# nginx\.conf of the mcp-platform edge/);
    expect(fs.readFileSync(path.join(configDir, "redis-queue-config", "redis.conf"), "utf8")).toMatch(/^appendonly yes$/m);
    const alertmanager = path.join(configDir, "alertmanager-mcp-platform", "alertmanager.yaml");
    expect(parse(fs.readFileSync(alertmanager, "utf8")).route.receiver).toBeDefined();
    if (hasBinary("amtool")) expect(runTool("amtool", ["check-config", alertmanager])).toMatchObject({ status: 0 });
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


  it("plans every stack and every example in one process with --all, each as npm run plan prints it alone", async () => {
    const [all, staging] = await Promise.all([plan("--all"), plan("--stack", "staging")]);
    expect(all.stderr).toBe("");
    expect(all.code).toBe(0);
    const examples = fs.readdirSync(path.resolve(__dirname, "../../examples")).filter((f) => f.endsWith(".yaml")).sort();
    expect(all.stdout.match(/^Plan of stack .*$/gm)).toEqual([
      'Plan of stack "production" (Pulumi.production.yaml)',
      'Plan of stack "staging" (Pulumi.staging.yaml)',
      ...examples.map((f) => `Plan of stack "production" (examples/${f})`),
    ]);
    expect(all.stdout).toContain(`\n${staging.stdout}\n`);
    expect((await plan("--all", "--json", "x.json")).stderr).toMatch(/^error: --all plans every stack and example: it takes no --stack, --config-file, --json or --out$/m);
  }, 90000);

  it("exits 2 on an unknown option, with the usage", async () => {
    const result = await plan("--stack", "staging", "--jsn", "x");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--jsn'[\s\S]*usage: npm run plan -- --stack/);
  });
});

describe("npm run plan on bad input: exit 2, naming what is wrong, with no stack trace", () => {
  const staging = (change: (values: StackValues) => void) => {
    const values = readStackValues("staging");
    change(values);
    return writeStackFile(values);
  };

  it.each([REJECTED.find((r) => r.key.endsWith("logicalSchedule") && r.value === "61 3 * * *")!, REJECTED.find((r) => r.key.endsWith("parameters.wal_level"))!, REJECTED.find((r) => r.stack === "production")!])(
    "a value the platform would refuse later, with its key: $key",
    async (row) => {
      const values = readStackValues(row.stack ?? "staging");
      changeOf(row)(values);
      const run = await plan("--stack", row.stack ?? "staging", "--config-file", writeStackFile(values));
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`  ${row.key}: `);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
    60000,
  );

  it("a misspelt namespace", async () => {
    const run = await plan("--stack", "staging", "--config-file", staging((v) => void (v["mcp-platfrom:edge"] = {})));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/mcp-platfrom:edge: unknown namespace "mcp-platfrom"; did you mean "mcp-platform:edge"\?/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60000);

  it("the Keycloak client secret in plain text, saying how to set it, without printing it", async () => {
    const run = await plan("--stack", "staging", "--config-file", staging((v) => void (v["mcp-platform:identityClientSecret"] = "client-secret-value")));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/mcp-platform:identityClientSecret: .*run pulumi config set --secret mcp-platform:identityClientSecret <value>/);
    expect(run.stderr + run.stdout).not.toMatch(/client-secret-value/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60000);
});
