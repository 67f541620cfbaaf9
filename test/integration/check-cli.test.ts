/** `npm run check` as CI runs it: a separate process, plan files, the three formats, exit codes. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Plan } from "../../tools/render-stack";
import { render, runScript, type K8sObject } from "../harness";

const check = (...args: string[]) => runScript("tools/check.ts", ...args);
let dir: string;
let clean: string;
let broken: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-check-"));
  // What `npm run plan -- --json` writes: secrets redacted.
  const plan = await render("staging");
  clean = path.join(dir, "staging.json");
  fs.writeFileSync(clean, JSON.stringify(plan));
  const worker = plan.resources.find((r) => (r.inputs as K8sObject).kind === "Deployment" && (r.inputs as K8sObject).metadata.name === "worker")!;
  (worker.inputs as K8sObject).spec.template.spec.containers[0].image = "ghcr.io/example/mcp-server:latest";
  broken = path.join(dir, "broken.json");
  fs.writeFileSync(broken, JSON.stringify(plan satisfies Plan));
}, 30000);

describe("npm run check", () => {
  it("passes a clean plan file with exit 0", async () => {
    const result = await check("--plan", clean);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("staging: 0 mandatory, 0 advisory violation(s) in 111 resources (policy config policies/config/staging.json)\n");
    expect(result.code).toBe(0);
  });

  it("fails a violation with exit 1 and a GitHub annotation naming policy, stack, message and resource", async () => {
    const result = await check("--plan", broken, "--format", "github");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^::error title=image-pinned \(staging\)::Every image names .*%0ADeployment\/worker container app: image ghcr\.io\/example\/mcp-server:latest uses the moving tag "latest": pin a release tag or a digest\.%0Aurn:pulumi:staging::mcp-platform::mcp-platform:app:AppService\$kubernetes:apps\/v1:Deployment::worker$/m,
    );
    expect(result.stdout).toMatch(/^staging: 1 mandatory, 0 advisory violation\(s\) in 111 resources$/m);
  });

  it("writes JSON for tools", async () => {
    const result = await check("--plan", broken, "--format", "json");
    expect(result.code).toBe(1);
    const [stack] = JSON.parse(result.stdout);
    expect(stack).toMatchObject({ stack: "staging", mandatory: 1, advisory: 0, violations: [{ policy: "image-pinned", enforcementLevel: "mandatory" }] });
  });

  it.each([
    ["an unreadable plan", ["--plan", "/nonexistent/plan.json"], /^error: cannot read plan \/nonexistent\/plan\.json: ENOENT.*\(write one with npm run plan -- --stack NAME --json FILE\)$/m],
    ["a file that is not a plan", ["--plan", "package.json"], /^error: package\.json is not a plan: expected the JSON that npm run plan -- --json writes/m],
    ["an unknown stack", ["--stack", "prod"], /^error: no stack "prod": this project has production, staging \(Pulumi\.<stack>\.yaml\)$/m],
    ["an unknown format", ["--format", "xml"], /^error: --format must be one of text, json, github; got "xml"$/m],
    ["a config file without exactly one stack", ["--config-file", "examples/orderdesk.yaml"], /^error: --config-file needs exactly one --stack/m],
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

  it("exits 2 on a policy config that names a policy the pack lacks", async () => {
    const config = path.join(dir, "bad-policy-config.json");
    fs.writeFileSync(config, JSON.stringify({ "image-pined": "advisory" }));
    const result = await check("--plan", clean, "--policy-config", config);
    expect(result.stderr).toMatch(/^error: policy config .*bad-policy-config\.json:\n {2}image-pined: no such policy in pack mcp-platform/m);
    expect(result.code).toBe(2);
  });
});
