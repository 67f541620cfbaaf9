/**
 * The in-process path (`npm run check`'s default, tools/policy/in-process.ts) against the reference,
 * the analyzer protocol that `pulumi preview --policy-pack` speaks to Pulumi's own runner
 * (tools/policy/analyzer.ts): the same pack info, and the same violations (policy, level, resource,
 * message, in the same order) on every stack, every example, every mutation of test/policies/policy-cases.ts
 * and under other configs (a stack under another environment's rules, every policy disabled, every
 * policy at remediate).
 *
 * An integration test: it starts Pulumi's policy-pack runner and makes a gRPC round trip per
 * resource, which was a third of the unit suite's time.
 */
import * as path from "path";
import { PolicyPackSession, type PackInfo, type PolicyConfig } from "../../tools/policy/analyzer";
import { InProcessPack } from "../../tools/policy/in-process";
import { readPolicyConfig, resolvePolicyConfig } from "../../tools/policy/policy-config";
import type { Plan } from "../../tools/render-stack";
import { EXAMPLE_FILES, PROJECT_DIR, render, renderExample, STACKS } from "../harness";
import { cases, changedUrns, mutated, object, pod } from "../policies/policy-cases";

const POLICIES = path.join(PROJECT_DIR, "policies");
const pack = InProcessPack.load(POLICIES);
let protocol: PolicyPackSession;
let info: PackInfo;
const plans = new Map<string, Plan>();

beforeAll(async () => {
  const starting = PolicyPackSession.start(POLICIES);
  for (const stack of STACKS) plans.set(stack, await render(stack, undefined, true));
  protocol = await starting;
  info = await protocol.info();
}, 60000);
afterAll(() => protocol?.close());

const configOf = (environment: string, raw = readPolicyConfig(path.join(POLICIES, "config", `${environment}.json`))): PolicyConfig =>
  resolvePolicyConfig(raw, info, `${environment}.json`);

/** Both paths' verdicts on a plan under a config, as an update of `original` when the plan is a changed copy of it. */
async function both(plan: Plan, config: PolicyConfig, original = plan) {
  const changed = changedUrns(original, plan);
  await Promise.all([protocol.configure(config), pack.configure(config)]);
  const [reference, inProcess] = [await protocol.analyze(plan.resources, changed), await pack.analyze(plan.resources, changed)];
  return { reference, inProcess };
}

it("describes the pack as GetAnalyzerInfo does", async () => {
  expect(await pack.info()).toEqual(info);
});

it.each(STACKS)("the %s stack: the same verdict", async (stack) => {
  const { reference, inProcess } = await both(plans.get(stack)!, configOf(stack));
  expect(inProcess).toEqual(reference);
});

it.each(EXAMPLE_FILES)("example %s: the same verdict", async (file) => {
  const { reference, inProcess } = await both(await renderExample(file), configOf("production"));
  expect(inProcess).toEqual(reference);
});

describe("every mutation of a rendered stack: the same violations", () => {
  let found = 0;
  afterAll(() => expect(found).toBeGreaterThanOrEqual(cases.length));

  it.each(cases)("%s (%s): %s", async (_policy, stack, _what, change) => {
    const original = plans.get(stack)!;
    const { reference, inProcess } = await both(mutated(original, change), configOf(stack), original);
    expect(inProcess).toEqual(reference);
    found += reference.length;
  });
});

describe("other configs: the same violations", () => {
  it("staging's resources under production's rules (every resource analyzed)", async () => {
    const { reference, inProcess } = await both(plans.get("staging")!, configOf("production"));
    expect(reference.length).toBeGreaterThan(0);
    expect(inProcess).toEqual(reference);
  });

  it("every policy disabled", async () => {
    const { reference, inProcess } = await both(plans.get("staging")!, configOf("production", { all: "disabled" }));
    expect(inProcess).toEqual(reference);
    expect(reference).toEqual([]);
  });

  it("every policy at remediate (reported as mandatory)", async () => {
    const { reference, inProcess } = await both(plans.get("staging")!, configOf("production", { all: "remediate" }));
    expect(reference.length).toBeGreaterThan(0);
    expect(inProcess).toEqual(reference);
  });
});

// Values a preview does not know yet, as the engine sends them (the sentinels of @pulumi/policy's
// proxy.js): the in-process path gives such a resource a proxied copy per validation, as the server does.
describe("unknown values: the same diagnostics", () => {
  const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
  const UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421";
  it.each<[string, (plan: Plan) => void]>([
    ["an image not known yet", (p) => (pod(object(p, "Deployment/worker")).containers[0].image = UNKNOWN_STRING)],
    ["a replica count not known yet", (p) => (object(p, "Deployment/api-blue").spec.replicas = UNKNOWN_NUMBER)],
    ["a namespace not known yet, on every workload", (p) => p.resources.forEach((r) => r.inputs.kind === "Deployment" && ((r.inputs.metadata as Record<string, unknown>).namespace = UNKNOWN_STRING))],
  ])("%s", async (_what, change) => {
    const original = plans.get("production")!;
    const { reference, inProcess } = await both(mutated(original, change), configOf("production"), original);
    expect(reference.some((v) => v.message.startsWith("can't run policy"))).toBe(true);
    expect(inProcess).toEqual(reference);
  });
});
