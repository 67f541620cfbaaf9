/** The real program under Pulumi's mock runtime, with the real stack files. */
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../tools/render-stack";
import { objects, render, resource, STACKS, type K8sObject } from "./harness";
import { isCloudNativePg, validateObject } from "./k8s-schema";
import { isKubernetesObject } from "../tools/plan-format";

const plans = new Map<string, Plan>();
beforeAll(async () => {
  for (const stack of STACKS) plans.set(stack, await render(stack));
});
const plan = (stack: string) => plans.get(stack)!;

describe.each(STACKS)("the %s stack", (stack) => {
  it("registers the components with their children", () => {
    const p = plan(stack);
    const types = (parentName: string) => {
      const parent = p.resources.find((r) => r.name === parentName && !r.custom)!;
      return p.resources.filter((r) => r.parent === parent.urn).map((r) => r.type).sort();
    };
    expect(resource(p, "mcp-platform:platform:StackNamespace", "stack").parent).toMatch(/pulumi:pulumi:Stack::mcp-platform-/);
    expect(types("api")).toEqual(
      [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:batch/v1:Job",
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:policy/v1:PodDisruptionBudget",
        "kubernetes:policy/v1:PodDisruptionBudget",
        // Production takes a base backup before each release, and a Job waits for it (BAK-6).
        ...(stack === "production" ? ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:postgresql.cnpg.io/v1:Backup", "kubernetes:batch/v1:Job"] : []),
      ].sort(),
    );
  });

  it("puts every object in the stack's namespace (the monitoring stack's in its own), on the stack's cluster", () => {
    const p = plan(stack);
    const provider = resource(p, "pulumi:providers:kubernetes", "kubernetes");
    expect(provider.inputs.context).toBe(stack);
    const monitoringStack = p.resources.find((r) => r.type === "mcp-platform:monitoring:MonitoringStack")!.urn;
    for (const r of p.resources.filter(isKubernetesObject)) {
      const o = r.inputs as unknown as K8sObject;
      if (r.parent === monitoringStack) expect(o.metadata.namespace ?? o.metadata.name).toBe("monitoring");
      // Cluster-scoped: the stack's ACME issuer, named after its namespace.
      else if (o.kind === "ClusterIssuer") expect(o.metadata.name).toBe(`acme-mcp-${stack}`);
      else if (o.kind !== "Namespace") expect(`${o.kind}/${o.metadata.name}: ${o.metadata.namespace}`).toBe(`${o.kind}/${o.metadata.name}: mcp-${stack}`);
      expect(r.options.provider).toMatch(/pulumi:providers:kubernetes::kubernetes::/);
    }
  });

  it("validates every Kubernetes object against the upstream schemas", () => {
    // CloudNativePG kinds need ../shared/schemas: test/postgres/postgres.test.ts checks them (and fails in CI without it).
    const all = [...objects(plan(stack)).values()].filter((o) => !isCloudNativePg(o));
    expect(all.length).toBeGreaterThan(15);
    for (const o of all) expect(() => validateObject(o)).not.toThrow();
  });

  it("never writes a generated secret in plain text", () => {
    const p = plan(stack);
    // Its keys stay reviewable; every value is masked.
    expect(resource(p, "kubernetes:core/v1:Secret", "app-secrets-secret").inputs.stringData).toEqual({ "api-token": "[secret]", "jwt-signing-key": "[secret]" });
    expect(JSON.stringify(p)).not.toMatch(/mock-/);
  });

  it("switches traffic only after the active colour's Deployment (and its migration) is done", () => {
    const p = plan(stack);
    const service = resource(p, "kubernetes:core/v1:Service", "api-service");
    const blue = resource(p, "kubernetes:apps/v1:Deployment", "api-blue");
    expect(service.options.dependsOn).toContain(blue.urn);
    const migration = p.resources.find((r) => r.type === "kubernetes:batch/v1:Job")!;
    expect(blue.options.dependsOn).toContain(migration.urn);
    expect(migration.options.ignoreChanges).toEqual(["spec"]);
  });

  it("exports what an operator needs", () => {
    expect(plan(stack).outputs).toMatchObject({
      environment: stack,
      namespace: `mcp-${stack}`,
      services: { api: { activeColor: "blue", address: `api.mcp-${stack}.svc.cluster.local:8000` }, worker: { activeColor: null, address: null } },
    });
  });
});

describe("environment differences", () => {
  it("protects the production namespace only", () => {
    expect(resource(plan("production"), "kubernetes:core/v1:Namespace", "stack-namespace").options.protect).toBe(true);
    expect(resource(plan("staging"), "kubernetes:core/v1:Namespace", "stack-namespace").options.protect).toBe(false);
  });

  it("pins production's release images by digest", () => {
    const releases = [...objects(plan("production")).values()].filter(
      (o) => (o.kind === "Deployment" || o.kind === "Job") && ["server", "worker", "migration"].includes(o.metadata.labels?.["app.kubernetes.io/component"] ?? ""),
    );
    expect(releases.length).toBe(4);
    for (const o of releases) for (const c of o.spec.template.spec.containers) expect(c.image).toMatch(/@sha256:[0-9a-f]{64}$/);
  });
});

describe("blue-green switch", () => {
  const flip = (standbyScale: string) => async () => {
    const bg = (v: Record<string, any>) => v["mcp-platform:services"].api.blueGreen; // eslint-disable-line @typescript-eslint/no-explicit-any
    const before = objects(await render("production", (v) => (bg(v).standbyScale = standbyScale)));
    const after = objects(
      await render("production", (v) => {
        bg(v).standbyScale = standbyScale;
        bg(v).activeColor = "green";
      }),
    );
    return { before, after };
  };

  it("with both colours at full scale, moves the Service selectors and nothing else", async () => {
    const { before, after } = await flip("full")();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const changed = [...before.keys()].filter((key) => JSON.stringify(before.get(key)) !== JSON.stringify(after.get(key)));
    expect(changed.sort()).toEqual(["Service/api", "Service/api-preview"]);
    expect(after.get("Service/api")!.spec.selector["mcp-platform.io/color"]).toBe("green");
    expect(after.get("Service/api-preview")!.spec.selector["mcp-platform.io/color"]).toBe("blue");
  });

  it("with an idle standby, also hands the replicas and the autoscaler to the new colour", async () => {
    const { before, after } = await flip("idle")();
    expect(before.has("HorizontalPodAutoscaler/api-blue")).toBe(true);
    expect(after.has("HorizontalPodAutoscaler/api-green")).toBe(true);
    expect(after.has("HorizontalPodAutoscaler/api-blue")).toBe(false);
    expect(after.get("Deployment/api-blue")!.spec.replicas).toBe(0);
  });
});

describe("operations by config", () => {
  it("restarts by bumping restartedAt: only the pod templates change", async () => {
    const before = objects(plan("staging"));
    const after = objects(await render("staging", (v) => (v["mcp-platform:restartedAt"] = "2026-11-22T18:00:00Z")));
    const changed = [...before.keys()].filter((key) => JSON.stringify(before.get(key)) !== JSON.stringify(after.get(key)));
    expect(changed.sort()).toEqual(["Deployment/api-blue", "Deployment/api-green", "Deployment/worker"]);
    for (const key of changed) {
      expect(after.get(key)!.spec.template.metadata.annotations["mcp-platform.io/restart-all"]).toBe("2026-11-22T18:00:00Z");
    }
  });

  it("rotates every generated secret with one setting", async () => {
    const keepers = (p: Plan) =>
      p.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.startsWith("app-secrets-")).map((r) => (r.inputs.keepers as { rotation: string }).rotation);
    expect(keepers(plan("staging"))).toEqual(["0.0", "0.0"]);
    const rotated = await render("staging", (v) => ((v["mcp-platform:secrets"] as { rotation: number }).rotation = 1));
    expect(keepers(rotated)).toEqual(["1.0", "1.0"]);
  });

  it("stops on invalid configuration with one line per problem and no stack trace", async () => {
    const failure = render("staging", (v) => (v["mcp-platform:services"].api.replicas = "3"));
    const error = await failure.then(
      () => undefined,
      (e: unknown) => e,
    );
    // A RunError is printed by the Pulumi CLI as its message alone, without a stack trace.
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('invalid stack configuration:\n  mcp-platform:services.api.replicas: expected a value of type number; got "3"');
  });
});
