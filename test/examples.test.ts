/**
 * The example stack files (examples/*.yaml, one per runbook in ../shared/seeds): each is a
 * production stack that validates, renders and passes the policy pack with production's config,
 * as `npm run plan` and `npm run check -- --config-file` see it.
 */
import * as fs from "fs";
import * as path from "path";
import { PolicyPackSession, type PackInfo } from "../tools/policy/analyzer";
import { readPolicyConfig, resolvePolicyConfig } from "../tools/policy/policy-config";
import type { Plan } from "../tools/render-stack";
import { objects, PROJECT_DIR, renderFile } from "./harness";
import { schemasAvailable } from "./crd-schema";
import { isCloudNativePg, validateObject } from "./k8s-schema";

const EXAMPLES = path.join(PROJECT_DIR, "examples");
const files = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

let session: PolicyPackSession;
let info: PackInfo;
beforeAll(async () => {
  session = await PolicyPackSession.start(path.join(PROJECT_DIR, "policies"));
  info = await session.info();
}, 60000);
afterAll(() => session?.close());

it("has one example per runbook", () => {
  expect(files).toEqual(["ecommerce.yaml", "go-commerce.yaml", "orderdesk.yaml", "rag-demo.yaml", "swagger2mcp.yaml"]);
});

describe.each(files)("examples/%s", (file) => {
  const text = fs.readFileSync(path.join(EXAMPLES, file), "utf8");

  it("starts with a header comment saying what it shows and how to check it", () => {
    expect(text).toMatch(/^# Example: .*\(seeds: [\w-]+\.md\)/);
    expect(text).toContain(`npm run check -- --stack production --config-file examples/${file}`);
  });

  let plan: Plan;
  beforeAll(async () => {
    // One render at a time: Pulumi's mock runtime is global to the process.
    plan = await renderFile("production", path.join(EXAMPLES, file), true);
  });

  it("renders objects that validate against the upstream schemas (CloudNativePG's CRDs too, where ../shared/schemas is)", () => {
    const all = [...objects(plan).values()].filter((o) => schemasAvailable() || !isCloudNativePg(o));
    expect(all.length).toBeGreaterThan(30);
    for (const o of all) expect(() => validateObject(o)).not.toThrow();
  });

  it("renders as a production stack and passes every mandatory policy with production's policy config", async () => {
    expect(plan.outputs.environment).toBe("production");
    const config = path.join(PROJECT_DIR, "policies", "config", "production.json");
    await session.configure(resolvePolicyConfig(readPolicyConfig(config), info, config));
    const mandatory = (await session.analyze(plan.resources)).filter((v) => v.enforcementLevel === "mandatory");
    expect(mandatory.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });
});
