/**
 * The cluster tests catch what they are for: on a deployed staging stack, a plan with a deliberate
 * immutable-field change fails its apply with the server's "field is immutable", and a pod
 * template that breaks Pod Security "restricted" draws the server's warning on apply and its pods
 * are refused, so the workload never gets Ready.
 */
import { Deployer, type PlannedObject } from "../../tools/cluster/apply";
import type { KubeClient, KubeObject } from "../../tools/cluster/kube-client";
import { render } from "../harness";
import { clusterObjects, connect, lines, notReady, rollout, teardown } from "./cluster";

let client: KubeClient;
let deployer: Deployer;
let base: PlannedObject[];

beforeAll(async () => {
  client = connect();
  deployer = new Deployer(client);
  base = clusterObjects(await render("staging", undefined, true));
  const { result, waiting } = await rollout(client, deployer, base);
  expect(lines(result.errors)).toEqual([]);
  expect(notReady(waiting)).toEqual([]);
}, 120000);
afterAll(async () => {
  if (client) {
    await teardown(client, deployer);
    client.close();
  }
}, 120000);

/** A loose view of a workload, enough to break it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Editable = KubeObject & { spec: any };

/** The base plan with one object changed (a deep copy, so each fixture starts from the base). */
function changed(kind: string, name: string, change: (o: Editable) => void): PlannedObject[] {
  return base.map((p) => {
    if (p.object.kind !== kind || p.object.metadata.name !== name) return p;
    const object = structuredClone(p.object) as Editable;
    change(object);
    return { ...p, object };
  });
}

describe("a deliberate immutable-field change fails the apply", () => {
  it.each([
    [
      "a Deployment's selector",
      () =>
        changed("Deployment", "worker", (d) => {
          d.spec.selector.matchLabels["fixture"] = "x";
          d.spec.template.metadata.labels["fixture"] = "x";
        }),
      "Deployment mcp-staging/worker",
    ],
    ["a StatefulSet's volume claim template", () => changed("StatefulSet", "redis-queue", (s) => (s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "99Gi")), "StatefulSet mcp-staging/redis-queue"],
  ])("%s", async (_what, plan, id) => {
    const { result } = await rollout(client, deployer, plan());
    expect(result.errors.map((e) => e.object)).toEqual([id]);
    expect(result.errors[0].text).toMatch(/field is immutable|Forbidden: updates to statefulset spec for fields other than/);
    // Back to the plan that was deployed.
    expect(lines((await rollout(client, deployer, base)).result.errors)).toEqual([]);
  });
});

describe("a Pod Security violation", () => {
  it("draws the server's warning on apply, and its pods are refused", async () => {
    const plan = changed("Deployment", "worker", (d) => {
      d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
      d.spec.template.spec.containers[0].securityContext.capabilities = { add: ["NET_ADMIN"] };
    });
    const { result, waiting } = await rollout(client, deployer, plan, 30000);
    expect(result.errors).toEqual([]);
    expect(lines(result.warnings)).toEqual([expect.stringMatching(/^Deployment mcp-staging\/worker: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false .*unrestricted capabilities/)]);
    expect(notReady(waiting)).toEqual([expect.stringMatching(/^Deployment mcp-staging\/worker: .*forbidden: violates PodSecurity "restricted:latest"/s)]);
    const restored = await rollout(client, deployer, base);
    expect(lines(restored.result.errors)).toEqual([]);
    expect(notReady(restored.waiting)).toEqual([]);
  });
});
