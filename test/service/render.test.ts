import { parsePlatformConfig, type PlatformConfig, type ServiceConfig } from "../../config";
import { renderService, stackContext } from "../../components/service/render";
import { RESTART_ALL_ANNOTATION, RESTART_ANNOTATION, SECRETS_ROTATION_ANNOTATION } from "../../components/labels";
import { validateObject } from "../k8s-schema";

const IMAGE = { repository: "ghcr.io/example/mcp-server", tag: "1.4.2" };
const NEXT = { repository: "ghcr.io/example/mcp-server", tag: "1.5.0" };

/** A small staging configuration; `services` are raw service settings. */
function config(services: Record<string, unknown>, extra: Record<string, unknown> = {}): PlatformConfig {
  const result = parsePlatformConfig({ environment: "staging", secrets: { generated: { token: {} } }, services, ...extra });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}

function render(c: PlatformConfig, name: string) {
  return renderService(stackContext(c), name, c.services[name] as ServiceConfig);
}

const blueGreen = (extra: Record<string, unknown> = {}) => ({
  port: 8000,
  replicas: 3,
  blueGreen: { activeColor: "blue", blue: { image: IMAGE }, green: { image: NEXT }, ...extra },
});

describe("renderService", () => {
  it("renders objects that validate against the Kubernetes schemas", () => {
    const c = config({ api: { ...blueGreen({ standbyScale: "full" }), autoscaling: { minReplicas: 3, maxReplicas: 6 }, migrations: { command: ["migrate"] } } });
    const m = render(c, "api");
    const all = [m.serviceAccount, m.networkPolicy, ...m.services, ...m.migrations, ...m.workloads.flatMap((w) => [w.deployment, w.disruptionBudget, ...(w.autoscaler ? [w.autoscaler] : [])])];
    expect(all).toHaveLength(1 + 1 + 2 + 2 + 2 * 3);
    for (const o of all) expect(() => validateObject(o as never)).not.toThrow();
  });

  it("points the Service at the active colour and the preview Service at the other", () => {
    const m = render(config({ api: blueGreen() }), "api");
    const [main, preview] = m.services.map((s) => s as { metadata: { name: string }; spec: { selector: Record<string, string> } });
    expect(main.metadata.name).toBe("api");
    expect(main.spec.selector["mcp-platform.io/color"]).toBe("blue");
    expect(preview.metadata.name).toBe("api-preview");
    expect(preview.spec.selector["mcp-platform.io/color"]).toBe("green");
  });

  it("keeps an idle standby colour at standbyReplicas, a full one like the active colour", () => {
    const replicas = (extra: Record<string, unknown>) =>
      render(config({ api: blueGreen(extra) }), "api").workloads.map((w) => [w.color, (w.deployment.spec as { replicas?: number }).replicas]);
    expect(replicas({})).toEqual([["blue", 3], ["green", 0]]);
    expect(replicas({ standbyReplicas: 1 })).toEqual([["blue", 3], ["green", 1]]);
    expect(replicas({ standbyScale: "full" })).toEqual([["blue", 3], ["green", 3]]);
  });

  it("leaves the replica count to the autoscaler of each full-scale colour", () => {
    const m = render(config({ api: { ...blueGreen(), autoscaling: { minReplicas: 3, maxReplicas: 10 } } }), "api");
    const [blue, green] = m.workloads;
    expect((blue.deployment.spec as { replicas?: number }).replicas).toBeUndefined();
    expect(blue.autoscaler).toMatchObject({
      spec: {
        scaleTargetRef: { kind: "Deployment", name: "api-blue" },
        minReplicas: 3,
        maxReplicas: 10,
        behavior: { scaleUp: { policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] }, scaleDown: { stabilizationWindowSeconds: 600 } },
      },
    });
    expect(green.autoscaler).toBeUndefined();
    expect((green.deployment.spec as { replicas?: number }).replicas).toBe(0);
  });

  it("rolls out with maxUnavailable 0 and a restricted security context", () => {
    const d = render(config({ api: blueGreen() }), "api").workloads[0].deployment as { spec: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(d.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.containers[0].volumeMounts).toEqual([{ name: "writable-0", mountPath: "/tmp" }]);
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
  });

  it("runs one migration Job per release image, named after the image", () => {
    const job = (image: object) =>
      render(config({ api: { image, port: 8000, migrations: { command: ["alembic", "upgrade", "head"] } } }), "api");
    const first = job(IMAGE);
    const again = job(IMAGE);
    const next = job(NEXT);
    expect(first.migrations).toHaveLength(1);
    expect(first.workloads[0].migration).toMatch(/^api-migrate-[0-9a-f]{8}$/);
    expect(again.workloads[0].migration).toBe(first.workloads[0].migration);
    expect(next.workloads[0].migration).not.toBe(first.workloads[0].migration);
    const spec = first.migrations[0].spec as { template: { spec: { restartPolicy: string; containers: { command: string[]; image: string }[] } } };
    expect(spec.template.spec.restartPolicy).toBe("Never");
    expect(spec.template.spec.containers[0]).toMatchObject({ command: ["alembic", "upgrade", "head"], image: "ghcr.io/example/mcp-server:1.4.2" });
  });

  it("migrates only images that run at full scale", () => {
    const m = render(config({ api: { ...blueGreen(), migrations: { command: ["migrate"] } } }), "api");
    expect(m.workloads.map((w) => Boolean(w.migration))).toEqual([true, false]);
    const full = render(config({ api: { ...blueGreen({ standbyScale: "full" }), migrations: { command: ["migrate"] } } }), "api");
    expect(full.migrations).toHaveLength(2);
  });

  it("keeps migration pods out of the Service but inside the service's network policy", () => {
    const m = render(config({ api: { image: IMAGE, port: 8000, migrations: { command: ["migrate"] } } }), "api");
    const podLabels = (m.migrations[0].spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    const selector = (m.services[0].spec as { selector: Record<string, string> }).selector;
    const policy = (m.networkPolicy.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels;
    const matches = (s: Record<string, string>) => Object.entries(s).every(([k, v]) => podLabels[k] === v);
    expect(matches(selector)).toBe(false);
    expect(matches(policy)).toBe(true);
  });

  it("restarts pods when restartedAt changes, stack-wide or per service", () => {
    const annotations = (c: PlatformConfig) =>
      (render(c, "api").workloads[0].deployment.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
    expect(annotations(config({ api: { image: IMAGE, port: 8000 } }))[RESTART_ANNOTATION]).toBeUndefined();
    expect(annotations(config({ api: { image: IMAGE, port: 8000, restartedAt: "2026-11-22T10:00" } }))[RESTART_ANNOTATION]).toBe("2026-11-22T10:00");
    expect(annotations(config({ api: { image: IMAGE, port: 8000 } }, { restartedAt: "r1" }))[RESTART_ALL_ANNOTATION]).toBe("r1");
  });

  it("rolls the pods that use a secret when it is rotated", () => {
    const annotation = (secrets: object) =>
      (
        render(config({ api: { image: IMAGE, port: 8000, env: { TOKEN: { secret: "token" } } } }, { secrets }), "api").workloads[0].deployment.spec as {
          template: { metadata: { annotations: Record<string, string> } };
        }
      ).template.metadata.annotations[SECRETS_ROTATION_ANNOTATION];
    const before = annotation({ generated: { token: {} } });
    expect(annotation({ generated: { token: { rotation: 1 } } })).not.toBe(before);
    expect(annotation({ rotation: 1, generated: { token: {} } })).not.toBe(before);
  });

  it("references secrets by secretKeyRef, never by value", () => {
    const c = config({ api: { image: IMAGE, port: 8000, env: { TOKEN: { secret: "token" }, DB: { secretKeyRef: { name: "db-app", key: "uri" } }, MODE: "x" } } });
    const env = (render(c, "api").workloads[0].deployment.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers[0].env;
    expect(env).toEqual([
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "app-secrets", key: "token" } } },
      { name: "DB", valueFrom: { secretKeyRef: { name: "db-app", key: "uri" } } },
      { name: "MODE", value: "x" },
    ]);
  });

  it("allows exactly the declared connections", () => {
    const c = config({
      api: { image: IMAGE, port: 8000 },
      worker: {
        image: IMAGE,
        connectsTo: ["api"],
        egress: [{ cidr: "203.0.113.10/32", ports: [443] }],
        metrics: { enabled: false },
        probes: { readinessCommand: ["ready"], livenessCommand: ["alive"] },
      },
    });
    const api = render(c, "api").networkPolicy.spec as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const worker = render(c, "worker").networkPolicy.spec as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(api.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "worker", "app.kubernetes.io/instance": "worker-staging" } } }], ports: [{ protocol: "TCP", port: 8000 }] },
      // Prometheus scrapes /metrics on the service port (MON-16).
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 8000 }] },
    ]);
    expect(api.egress).toEqual([]);
    expect(worker.ingress).toEqual([]); // metrics disabled, nobody calls it
    expect(worker.egress).toEqual([
      { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api-staging" } } }], ports: [{ protocol: "TCP", port: 8000 }] },
      { to: [{ ipBlock: { cidr: "203.0.113.10/32" } }], ports: [{ protocol: "TCP", port: 443 }] },
    ]);
  });

  it("gives a worker exec probes, no Service and a metrics port", () => {
    const c = config({ worker: { image: IMAGE, metrics: { port: 9100 }, probes: { readinessCommand: ["ready"], livenessCommand: ["alive"] } } });
    const m = render(c, "worker");
    expect(m.services).toEqual([]);
    const container = (m.workloads[0].deployment.spec as any).template.spec.containers[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(container.readinessProbe.exec.command).toEqual(["ready"]);
    expect(container.livenessProbe.exec.command).toEqual(["alive"]);
    expect(container.ports).toEqual([{ name: "metrics", containerPort: 9100, protocol: "TCP" }]);
  });
});

describe("the schema check", () => {
  it("catches a malformed object", () => {
    const c = config({ api: { image: IMAGE, port: 8000 } });
    const d = render(c, "api").workloads[0].deployment as unknown as { spec: Record<string, unknown> };
    expect(() => validateObject({ ...d, spec: { ...d.spec, replicas: "3" } } as never)).toThrow(/spec\/replicas must be integer/);
  });
});
