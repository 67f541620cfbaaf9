/**
 * The in-process evaluation's one difference from the server (tools/policy/in-process.ts): a
 * resource without unknown values is deserialized once, frozen and read by every policy without
 * the proxy. Parity with the server on unknown values is test/integration/policy-parity.test.ts's.
 */
import * as path from "path";
import type { PolicyPackArgs } from "@pulumi/policy";
import { evaluate, freezeKnown, loadPack } from "../../tools/policy/in-process";
import type { PlannedResource } from "../../tools/render-stack";
import { PROJECT_DIR } from "../harness";

const real = loadPack(path.join(PROJECT_DIR, "policies"));
/** The real pack's SDK running `policies` instead of the pack's. */
const packOf = (policies: PolicyPackArgs["policies"]) => ({ ...real, args: { policies } });
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const resource = (inputs: Record<string, unknown>): PlannedResource =>
  ({ urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::cm", type: "kubernetes:core/v1:ConfigMap", name: "cm", custom: true, inputs, options: { dependsOn: [] } }) as unknown as PlannedResource;

describe("freezeKnown", () => {
  it("freezes every plain object and array, and says the value holds no unknown", () => {
    const value = { a: [{ b: "x" }, 1, null, true], c: { d: {} } };
    expect(freezeKnown(value, real.unknowns)).toBe(true);
    for (const part of [value, value.a, value.a[0], value.c, value.c.d]) expect(Object.isFrozen(part)).toBe(true);
  });

  it("finds each of the proxy's unknown sentinels anywhere", () => {
    expect(real.unknowns.size).toBe(7);
    // Every sentinel @pulumi/policy's proxy.js exports (unknown<Kind>Value): one the SDK adds fails here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const proxy = require("@pulumi/policy/proxy") as Record<string, unknown>;
    expect(new Set(Object.keys(proxy).filter((name) => /^unknown\w+Value$/.test(name)).map((name) => proxy[name]))).toEqual(real.unknowns);
    for (const unknown of real.unknowns) expect(freezeKnown({ a: [{ b: ["x", unknown] }] }, real.unknowns)).toBe(false);
  });

  it("leaves objects the SDK made (assets) as they are", () => {
    class Asset {
      path = "x";
    }
    const asset = new Asset();
    expect(freezeKnown({ a: asset }, real.unknowns)).toBe(true);
    expect(Object.isFrozen(asset)).toBe(false);
  });
});

describe("evaluate", () => {
  it("gives every policy the one frozen copy of a known resource's properties", async () => {
    const seen: unknown[] = [];
    const reader = (name: string) => ({ name, description: name, enforcementLevel: "mandatory" as const, validateResource: (args: { props: unknown }) => void seen.push(args.props) });
    const inputs = { data: { key: "value" } };
    expect(await evaluate(packOf([reader("one"), reader("two")]), {}, [resource(inputs)])).toEqual([]);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(Object.isFrozen((seen[0] as typeof inputs).data)).toBe(true);
    expect(seen[0]).toEqual(inputs);
    expect(seen[0]).not.toBe(inputs);
  });

  it("fails, naming the policy, when a policy writes to the properties it reads", async () => {
    const writer = { name: "writer", description: "writes", enforcementLevel: "mandatory" as const, validateResource: (args: { props: Record<string, { key: string }> }) => void (args.props.data.key = "changed") };
    await expect(evaluate(packOf([writer]), {}, [resource({ data: { key: "value" } })])).rejects.toThrow(/with policy 'writer'[^]*TypeError: Cannot assign to read only property 'key'[^]*a policy must not change them; run a pack whose policies do with --analyzer protocol/);
  });

  it("reports a read of an unknown value as the server does: an advisory naming the policy", async () => {
    const reader = { name: "reader", description: "reads", enforcementLevel: "mandatory" as const, validateResource: (args: { props: Record<string, { key: string }> }) => void args.props.data.key.length };
    const violations = await evaluate(packOf([reader]), {}, [resource({ data: { key: UNKNOWN_STRING } })]);
    expect(violations).toEqual([expect.objectContaining({ policy: "reader", enforcementLevel: "advisory", message: expect.stringMatching(/^can't run policy 'reader' from policy pack/) })]);
  });
});
