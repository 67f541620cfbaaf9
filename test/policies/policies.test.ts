/**
 * The policy pack on the real rendered stacks, evaluated in process as `npm run check` does (the
 * analyzer protocol's verdicts are the same: test/integration/policy-parity.test.ts): both pass, and for every
 * policy a realistic mutation of a rendered resource (test/policies/policy-cases.ts) is caught with the
 * expected message.
 */
import * as path from "path";
import { tenantUse } from "../../policies/checklists";
import type { PackInfo, Violation } from "../../tools/policy/analyzer";
import { InProcessPack } from "../../tools/policy/in-process";
import { PolicyConfigError, readPolicyConfig, resolvePolicyConfig } from "../../tools/policy/policy-config";
import type { Plan } from "../../tools/render-stack";
import { PROJECT_DIR, render, STACKS, type K8sObject } from "../harness";
import { cases, changedUrns, find, mutated as mutatedCopy, object, planFor } from "./policy-cases";

const POLICIES = path.join(PROJECT_DIR, "policies");
const pack = InProcessPack.load(POLICIES);
let info: PackInfo;
const plans = new Map<string, Plan>();

beforeAll(async () => {
  // One at a time: Pulumi's mock runtime is global to the process.
  for (const stack of STACKS) plans.set(stack, await render(stack, undefined, true));
  info = await pack.info();
}, 60000);

/** The pack's verdict on a plan, with the stack's policy config: as an update, when the plan is a changed copy. */
async function check(stack: string, plan: Plan): Promise<Violation[]> {
  const file = path.join(POLICIES, "config", `${stack}.json`);
  await pack.configure(resolvePolicyConfig(readPolicyConfig(file), info, file));
  return pack.analyze(plan.resources, changedUrns(plans.get(stack)!, plan));
}

/** A deep copy of a stack's plan, changed. */
const mutated = (stack: string, change: (plan: Plan) => void) => mutatedCopy(plans.get(stack)!, change);

describe.each(STACKS)("the %s stack", (stack) => {
  it("passes every policy", async () => {
    expect(await check(stack, plans.get(stack)!)).toEqual([]);
  });
});


describe("every policy catches a realistic violation", () => {
  it("has a case for each policy of the pack", () => {
    expect(new Set(cases.map(([policy]) => policy))).toEqual(new Set(info.policies.map((p) => p.name)));
  });

  it.each(cases)("%s (%s): %s", async (policy, stack, _what, change, message) => {
    const violations = await check(stack, mutated(stack, change));
    const caught = violations.filter((v) => v.policy === policy);
    expect(caught.map((v) => v.message).join("\n")).toMatch(message);
    const expected = info.policies.find((p) => p.name === policy)!.enforcementLevel === "advisory" ? "advisory" : "mandatory";
    expect(caught[0].enforcementLevel).toBe(expected);
  });
});

it("stateful-protected (production): an unprotected volume claim of mcp-platform:volumes", async () => {
  const plan = await render("production", (v) => (v["mcp-platform:volumes"] = { uploads: { size: "20Gi", storageClass: "efs-sc" } }), true);
  expect(await check("production", plan)).toEqual([]);
  find(plan, "PersistentVolumeClaim/uploads").options.protect = false;
  expect((await check("production", plan)).map((v) => `${v.policy}: ${v.message}`)).toEqual([
    expect.stringMatching(/^stateful-protected: .*\nPersistentVolumeClaim\/uploads \(volumes-uploads\) is not protected/s),
  ]);
});


describe("the capacity plan (CAP-4): the stack's provisioning must carry its tenants", () => {
  // Production at rest requests 5.12 CPU and 8.39 GiB and has a 50 GiB database volume: by CAP-4
  // (2 CPU + 0.1, 4 GiB + 256 MiB, 20 GiB + 1 GiB per tenant) that carries 31, 17.56 and 30 tenants.
  const levels = async (tenants: number, extra: Record<string, string> = {}) =>
    (await check("production", mutated("production", (p) => planFor(p, tenants, extra))))
      .filter((v) => v.policy.startsWith("capacity-plan"))
      .map((v) => `${v.policy}: ${v.message.split("\n")[1].split(" (")[0]}`);

  it("fails 1,000 tenants (about 102 CPU needed) on 5.12 CPU, and passes 5 tenants: under-provisioning is the violation", async () => {
    expect(await levels(1000)).toEqual(
      expect.arrayContaining(["capacity-plan: CPU requests at rest", "capacity-plan: memory requests at rest", "capacity-plan: the database volume", "capacity-plan-warning: CPU requests at rest"]),
    );
    expect(await levels(5)).toEqual([]);
  });

  it("draws the 80 % and 90 % lines on what the requests carry: 14 tenants pass, 15 warn, 16 are critical (memory carries 17.56)", async () => {
    expect(await levels(14)).toEqual([]);
    expect(await levels(15)).toEqual(["capacity-plan-warning: memory requests at rest"]);
    expect(await levels(16)).toEqual(["capacity-plan: memory requests at rest", "capacity-plan-warning: memory requests at rest"]);
  });

  it("checks a declared backup storage against 3x the database plan", async () => {
    // 3 x (20 GiB + 1 GiB per tenant): 100 GiB carries 13.33 tenants; 10 are 75 %, 12 exactly 90 % (not past it), 13 are 97.5 %.
    expect(await levels(10, { backupStorage: "100Gi" })).toEqual([]);
    expect(await levels(12, { backupStorage: "100Gi" })).toEqual(["capacity-plan-warning: the backup storage"]);
    expect(await levels(13, { backupStorage: "100Gi" })).toEqual(["capacity-plan: the backup storage", "capacity-plan-warning: the backup storage"]);
  });

  it("leaves a stack without a plan alone (no mcp-platform:capacity, no tenants in the policy config)", async () => {
    expect((await check("production", plans.get("production")!)).filter((v) => v.policy.startsWith("capacity-plan"))).toEqual([]);
  });

  it("renders mcp-platform:capacity as the plan the policies read, tenants counted", async () => {
    const plan = await render("production", (v) => {
      v["mcp-platform:capacity"] = { tenants: Array.from({ length: 16 }, (_, i) => `tenant${i}`), backupStorage: "200Gi" };
      (v["mcp-platform:postgres"] as { storage: { size: string } }).storage.size = "100Gi";
    }, true);
    const found = (await check("production", plan)).filter((v) => v.policy.startsWith("capacity-plan")).map((v) => `${v.policy}: ${v.message.split("\n")[1].split(" (")[0]}`);
    expect(found).toEqual(["capacity-plan: memory requests at rest", "capacity-plan-warning: memory requests at rest"]);
  });

  it("reports an annotation that is not a plan", async () => {
    const plan = mutated("production", (p) => (object(p, "Namespace/mcp-production").metadata = { ...object(p, "Namespace/mcp-production").metadata, annotations: { "mcp-platform.io/capacity-plan": '{"tenants":"many"}' } } as K8sObject["metadata"]));
    expect((await check("production", plan)).filter((v) => v.policy === "capacity-plan").map((v) => v.message)).toEqual([
      expect.stringMatching(/\nNamespace\/mcp-production: annotation mcp-platform\.io\/capacity-plan is not a capacity plan .*; set mcp-platform:capacity$/),
    ]);
  });
});

describe("policy config", () => {
  const staging = path.join(POLICIES, "config", "staging.json");

  it("fills the schemas' defaults and applies the file's levels", () => {
    const config = resolvePolicyConfig(readPolicyConfig(staging), info, staging);
    expect(config["stateful-protected"].enforcementLevel).toBe("disabled");
    expect(config["edge-tls"]).toEqual({ enforcementLevel: "mandatory", properties: { edgeServices: ["edge"] } });
    expect(config["capacity-plan-warning"].enforcementLevel).toBe("advisory");
  });

  it("names an unknown policy, an unknown setting, a wrong type and a bad level", () => {
    const raw = { "containr-resources": {}, "container-resources": { maxCPU: "2" }, "replicas-minimum": { minReplicas: "two" }, "edge-tls": "strict" };
    expect(() => resolvePolicyConfig(raw, info, "bad.json")).toThrow(PolicyConfigError);
    let message = "";
    try {
      resolvePolicyConfig(raw, info, "bad.json");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual(
      expect.arrayContaining([
        "policy config bad.json:",
        expect.stringMatching(/^ {2}edge-tls\.enforcementLevel: enforcement level must be one of advisory, mandatory, disabled, remediate; got "strict"$/),
        expect.stringMatching(/^ {2}containr-resources: no such policy in pack mcp-platform \(policies: container-resources, /),
        expect.stringMatching(/^ {2}container-resources\.maxCPU: must NOT have additional properties \(settings: maxCpu, maxMemory\)$/),
        expect.stringMatching(/^ {2}replicas-minimum\.minReplicas: must be integer$/),
      ]),
    );
  });
});

describe("tenantUse: the tenants a provisioned amount carries by CAP-4's plan", () => {
  const cpu = (provided: number) => ({ what: "CPU", unit: "", provided, base: 2, perTenant: 0.1 });
  it.each([
    [12, 100, 100, 1],
    [5.1, 1000, 31, 32.26],
    [1, 5, 0, Infinity],
    [2, 0, 0, 0],
    [1, 0, 0, Infinity],
  ])("%s CPU, %s tenants: carries %s, share %s", (provided, tenants, capacity, share) => {
    const use = tenantUse(cpu(provided), tenants);
    expect(Math.floor(use.capacity + 1e-9)).toBe(capacity);
    expect(use.share).toBeCloseTo(share, 2);
  });
});
