/**
 * `npm run check` as CI runs it: a separate process, plan files, the four formats (annotations and
 * SARIF pointing at the stack-file line that causes a violation), exit codes.
 */
import { isChecked } from "../../tools/plan-format";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as Sarif from "sarif";
import type { Plan } from "../../tools/render-stack";
import { PROJECT_DIR, render, runScript, type K8sObject } from "../harness";

const check = (...args: string[]) => runScript("tools/check.ts", ...args);
let dir: string;
let clean: string;
/** What check analyses of staging's plan (every resource but providers and components). */
let analyzedCount: number;
let broken: string;
/** Production's stack file with the worker at 1 replica (production needs 2), and that setting's line. */
let lowReplicas: { file: string; line: number };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-check-"));
  // What `npm run plan -- --json` writes: secrets redacted.
  const plan = await render("staging");
  analyzedCount = plan.resources.filter(isChecked).length;
  clean = path.join(dir, "staging.json");
  fs.writeFileSync(clean, JSON.stringify(plan));
  const worker = plan.resources.find((r) => (r.inputs as K8sObject).kind === "Deployment" && (r.inputs as K8sObject).metadata.name === "worker")!;
  (worker.inputs as K8sObject).spec.template.spec.containers[0].image = "ghcr.io/example/mcp-server:latest";
  broken = path.join(dir, "broken.json");
  fs.writeFileSync(broken, JSON.stringify(plan satisfies Plan));
  const lines = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8").split("\n");
  const workerEntry = lines.indexOf("    worker:");
  const replicas = lines.findIndex((line, i) => i > workerEntry && line === "      replicas: 2");
  lines[replicas] = "      replicas: 1";
  lowReplicas = { file: path.join(dir, "Pulumi.low-replicas.yaml"), line: replicas + 1 };
  fs.writeFileSync(lowReplicas.file, lines.join("\n"));
}, 30000);

describe("npm run check", () => {
  it("passes a clean plan file with exit 0", async () => {
    const result = await check("--plan", clean);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(`staging: 0 mandatory, 0 advisory violation(s) in ${analyzedCount} resources (policy config policies/config/staging.json)\n`);
    expect(result.code).toBe(0);
  });

  // GitHub's workflow commands ("Workflow commands for GitHub Actions", docs.github.com):
  // `::error file={name},line={line},col={col},title={title}::{message}` puts the annotation on that
  // line of the file in the pull request's diff; without file and line it shows on the run only.
  it("fails a violation with exit 1 and a GitHub annotation on the line of the setting that causes it", async () => {
    const result = await check("--stack", "production", "--config-file", lowReplicas.file, "--format", "github");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const file = path.relative(PROJECT_DIR, lowReplicas.file).replace(/:/g, "%3A").replace(/,/g, "%2C");
    const annotation = `::error file=${file},line=${lowReplicas.line},col=7,title=replicas-minimum (production)::`;
    expect(result.stdout.split("\n").filter((line) => line.startsWith("::"))).toEqual([expect.stringContaining(annotation)]);
    expect(result.stdout).toContain("Deployment/worker runs 1 replica(s); this environment needs at least 2: raise replicas (or autoscaling.minReplicas).%0A");
    expect(result.stdout).toContain("; set by mcp-platform:services.worker.replicas");
    expect(result.stdout).toMatch(/^production: 1 mandatory, 0 advisory violation\(s\) in \d+ resources$/m);
  });

  it("points a violation in a saved plan at the stack file the plan was rendered from", async () => {
    // The worker's image in the plan was changed to a moving tag: the setting is services.worker.image.
    const result = await check("--plan", broken, "--format", "github");
    expect(result.code).toBe(1);
    const line = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8").split("\n").findIndex((l, i, all) => l === "      image:" && all[i - 1].startsWith("    worker:")) + 1;
    expect(line).toBeGreaterThan(0);
    expect(result.stdout).toMatch(new RegExp(`^::error file=Pulumi\\.staging\\.yaml,line=${line},col=7,title=image-pinned \\(staging\\)::Every image names .*%0ADeployment/worker container app: image ghcr\\.io/example/mcp-server:latest uses the moving tag "latest"`, "m"));
    expect(result.stdout).toMatch(new RegExp(`^staging: 1 mandatory, 0 advisory violation\\(s\\) in ${analyzedCount} resources$`, "m"));
  });

  // SARIF 2.1.0 (OASIS), the subset GitHub code scanning reads ("SARIF support for code scanning",
  // docs.github.com): version, runs[].tool.driver with rules (id, shortDescription), results with
  // ruleId, level, message.text and locations[].physicalLocation (artifactLocation.uri relative to
  // the repository, region.startLine); partialFingerprints keeps an alert the same across runs.
  it("writes SARIF 2.1.0 for code scanning, each result on the line of its setting", async () => {
    const result = await check("--stack", "production", "--config-file", lowReplicas.file, "--format", "sarif");
    expect(result.code).toBe(1);
    const log = JSON.parse(result.stdout) as Sarif.Log;
    expect(log.version).toBe("2.1.0");
    const [run] = log.runs;
    const rules = run.tool.driver.rules!;
    expect(rules.map((r) => r.id)).toContain("replicas-minimum");
    for (const rule of rules) expect(rule.shortDescription?.text).toBeTruthy();
    expect(run.results).toHaveLength(1);
    const [finding] = run.results!;
    expect(finding).toMatchObject({
      ruleId: "replicas-minimum",
      ruleIndex: rules.findIndex((r) => r.id === "replicas-minimum"),
      level: "error",
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: path.relative(PROJECT_DIR, lowReplicas.file), uriBaseId: "%SRCROOT%" }, region: { startLine: lowReplicas.line, startColumn: 7 } },
          logicalLocations: [{ fullyQualifiedName: expect.stringMatching(/::worker$/) }],
        },
      ],
    });
    expect(finding.message.text).toMatch(/^production: .*Deployment\/worker runs 1 replica/s);
    expect(Object.values(finding.partialFingerprints ?? {})).toHaveLength(1);
  });

  it("writes JSON for tools", async () => {
    const result = await check("--plan", broken, "--format", "json");
    expect(result.code).toBe(1);
    const [stack] = JSON.parse(result.stdout);
    expect(stack).toMatchObject({ stack: "staging", mandatory: 1, advisory: 0, violations: [{ policy: "image-pinned", enforcementLevel: "mandatory" }] });
  });

  it.each([
    ["an unreadable plan", ["--plan", "/nonexistent/plan.json"], /^error: cannot read plan \/nonexistent\/plan\.json: ENOENT.*\(write one with npm run plan -- --stack NAME --json FILE\)$/m],
    ["a file that is not a plan", ["--plan", "package.json"], /^error: package\.json is not a plan as npm run plan -- --json writes it:\n  project: /m],
    ["an unknown stack", ["--stack", "prod"], /^error: no stack "prod": this project has production, staging \(Pulumi\.<stack>\.yaml\)$/m],
    ["an unknown format", ["--format", "xml"], /^error: --format must be one of text, json, github, sarif; got "xml"$/m],
    ["a config file without exactly one stack", ["--config-file", "examples/orderdesk.yaml"], /^error: --config-file needs exactly one --stack/m],
    ["--all with a stack", ["--all", "--stack", "staging"], /^error: --all checks every stack and example: it takes no --stack, --config-file or --plan$/m],
    ["an unknown analyzer", ["--plan", "package.json", "--analyzer", "grpc"], /^error: --analyzer must be one of in-process, protocol; got "grpc"$/m],
  ])("exits 2 on %s", async (_what, args, message) => {
    const result = await check(...args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });

  it("checks a stack from --config-file with the policy config of the environment that file declares", async () => {
    // A production stack file checked under the name staging: production's rules apply, not staging's.
    const result = await check("--stack", "staging", "--config-file", "examples/orderdesk.yaml");
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^staging: 0 mandatory, 0 advisory violation\(s\) in \d+ resources \(policy config policies\/config\/production\.json\)$/m);
    expect(result.code).toBe(0);
  });

  it("checks every stack and every example in one process with --all, each example named by its file", async () => {
    const result = await check("--all");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const examples = fs.readdirSync(path.join(PROJECT_DIR, "examples")).filter((f) => f.endsWith(".yaml")).sort();
    expect(result.stdout.trimEnd().split("\n").map((line) => line.split(":")[0])).toEqual(["production", "staging", ...examples.map((f) => `production (examples/${f})`)]);
  }, 60000);

  it("reports the same through the analyzer protocol (Pulumi's runner) as in process", async () => {
    const [protocol, inProcess] = await Promise.all([check("--plan", broken, "--format", "json", "--analyzer", "protocol"), check("--plan", broken, "--format", "json")]);
    expect(protocol.stderr).toBe("");
    expect(protocol.code).toBe(1);
    expect(protocol.stdout).toBe(inProcess.stdout);
  }, 60000);

  it("exits 2 on a policy config that names a policy the pack lacks", async () => {
    const config = path.join(dir, "bad-policy-config.json");
    fs.writeFileSync(config, JSON.stringify({ "image-pined": "advisory" }));
    const result = await check("--plan", clean, "--policy-config", config);
    expect(result.stderr).toMatch(/^error: policy config .*bad-policy-config\.json:\n {2}image-pined: no such policy in pack mcp-platform/m);
    expect(result.code).toBe(2);
  });
});
