/** The edge's Kubernetes objects: pure render and wiring in both stacks. */
import { parsePlatformConfig, type PlatformConfig } from "../../config";
import { renderEdge } from "../../components/edge/render";
import { objects, render, STACKS, type K8sObject } from "../harness";
import { validateObject } from "../k8s-schema";
import type { Plan } from "../../tools/render-stack";

function config(edge: Record<string, unknown> = {}): PlatformConfig {
  const image = { repository: "r/app", tag: "1.0.0" };
  const result = parsePlatformConfig({
    environment: "staging",
    services: { api: { image, port: 8000 }, worker: { image, metrics: { enabled: false }, probes: { readinessCommand: ["a"], livenessCommand: ["b"] } } },
    edge: { hostname: "mcp.example.com", tls: { issuer: { name: "letsencrypt" } }, routes: [{ path: "/", service: "api" }], ...edge },
  });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}

const edgeOf = (c: PlatformConfig) => renderEdge(c.edge!, { namespace: "ns", monitoringNamespace: "monitoring", environment: c.environment, services: c.services });

describe("renderEdge", () => {
  it("renders objects that validate against their schemas", () => {
    const m = edgeOf(config());
    for (const o of [m.config, m.deployment, m.service, m.certificate!, m.disruptionBudget, m.networkPolicy]) {
      expect(() => validateObject(o as never)).not.toThrow();
    }
  });

  it("proxies to the routed services' Services, so a blue-green switch needs no nginx change", () => {
    expect(edgeOf(config()).nginxConf).toContain("server api.ns.svc.cluster.local:8000;");
  });

  it("rolls the nginx pods when the config changes, never reloads them", () => {
    const hash = (c: PlatformConfig) => (edgeOf(c).deployment.spec as any).template.metadata.annotations["mcp-platform.io/config-hash"]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(hash(config())).toBe(hash(config()));
    expect(hash(config({ maintenance: { enabled: true } }))).not.toBe(hash(config()));
  });

  it("splits a canary by weight between <svc> and <svc>-preview, and rolls the pods to apply it (REL-4)", () => {
    const image = { repository: "r/app", tag: "1.0.0" };
    const canary = (canaryWeight: number) => {
      const c = config();
      c.services.api = { ...c.services.api, image: undefined, blueGreen: { activeColor: "blue", blue: { image }, green: { image }, standbyScale: "full", standbyReplicas: 0, canaryWeight, rollbackHoldHours: 24 } };
      return c;
    };
    const conf = edgeOf(canary(5)).nginxConf;
    expect(conf).toContain("server api.ns.svc.cluster.local:8000 weight=95;");
    expect(conf).toContain("server api-preview.ns.svc.cluster.local:8000 weight=5;");
    expect(edgeOf(canary(0)).nginxConf).toContain("server api.ns.svc.cluster.local:8000;");
    expect(edgeOf(canary(0)).nginxConf).not.toContain("api-preview");
    const hash = (c: PlatformConfig) => (edgeOf(c).deployment.spec as any).template.metadata.annotations["mcp-platform.io/config-hash"]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(hash(canary(5))).not.toBe(hash(canary(0)));
    expect(hash(canary(5))).not.toBe(hash(canary(10)));
  });

  it("asks cert-manager for a 90-day certificate renewed 30 days ahead, or uses the given Secret", () => {
    expect(edgeOf(config()).certificate?.spec).toMatchObject({
      secretName: "edge-tls",
      dnsNames: ["mcp.example.com"],
      issuerRef: { name: "letsencrypt", kind: "ClusterIssuer" },
      duration: "2160h",
      renewBefore: "720h",
    });
    const own = edgeOf(config({ tls: { secretName: "wildcard-tls" } }));
    expect(own.certificate).toBeUndefined();
    expect(JSON.stringify(own.deployment)).toContain('"secretName":"wildcard-tls"');
  });

  it("closes the load balancer to all but the allowed addresses when isolated", () => {
    expect((edgeOf(config()).service.spec as any).loadBalancerSourceRanges).toBeUndefined(); // eslint-disable-line @typescript-eslint/no-explicit-any
    const isolated = edgeOf(config({ isolation: { enabled: true, allowedCidrs: ["198.51.100.0/24"] } }));
    expect((isolated.service.spec as any).loadBalancerSourceRanges).toEqual(["198.51.100.0/24"]); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(isolated.nginxConf).toMatch(/allow 198\.51\.100\.0\/24;\n\s+deny all;/);
  });

  it("rejects a route to a service that does not exist or has no port", () => {
    const result = parsePlatformConfig({
      environment: "staging",
      services: { worker: { image: { repository: "r/app", tag: "1.0.0" }, metrics: { enabled: false }, probes: { readinessCommand: ["a"], livenessCommand: ["b"] } } },
      edge: { hostname: "mcp.example.com", tls: { secretName: "t" }, routes: [{ path: "/", service: "worker" }, { path: "/api/", service: "apii" }] },
    });
    expect(result.ok ? [] : result.errors).toEqual([
      'mcp-platform:edge.routes[0].service: service "worker" has no port to route to; got "worker"',
      'mcp-platform:edge.routes[1].service: no service "apii" (services: worker); got "apii"',
    ]);
  });

  it("rejects a path routed twice, and a path that is neither a prefix nor an exact path", () => {
    expect(() => config({ routes: [{ path: "/api/", service: "api" }, { path: "/api/", service: "api" }] })).toThrow(/mcp-platform:edge\.routes\[1\]\.path: path "\/api\/" is routed twice/);
    expect(() => config({ routes: [{ path: "/api//upload", service: "api" }] })).toThrow(/mcp-platform:edge\.routes\[0\]\.path: expected a path such as "\/", "\/api\/" \(a prefix/);
  });

  it("rejects a route whose rate-limit zone does not exist", () => {
    expect(() => config({ routes: [{ path: "/", service: "api", rateLimit: "strict" }] })).toThrow(
      /mcp-platform:edge\.routes\[0\]\.rateLimit: no rate-limit zone "strict" in edge\.rateLimits \(have: default\)/,
    );
  });
});

describe.each(STACKS)("the edge of the %s stack", (stack) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await render(stack);
  });

  it("is the only LoadBalancer (and no NodePort) in the stack", () => {
    const exposed = [...objects(plan).values()].filter((o) => o.kind === "Service" && o.spec.type !== "ClusterIP");
    expect(exposed.map((o) => `${o.metadata.name}:${o.spec.type}`)).toEqual(["edge:LoadBalancer"]);
  });

  it("may reach the routed services, which admit it", () => {
    const api = objects(plan).get("NetworkPolicy/api") as K8sObject;
    expect(api.spec.ingress[0].from).toContainEqual({ podSelector: { matchLabels: { "app.kubernetes.io/name": "edge", "app.kubernetes.io/part-of": "mcp-platform" } } });
    const edge = objects(plan).get("NetworkPolicy/edge") as K8sObject;
    expect(edge.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": `api-${stack}` } } }], ports: [{ protocol: "TCP", port: 8000 }] },
      // cert-manager's HTTP-01 solver pods (cert-manager v1.16.2 pkg/issuer/acme/http/pod.go: this label, port 8089).
      { to: [{ podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } } }], ports: [{ protocol: "TCP", port: 8089 }] },
    ]);
  });

  it("answers the ACME HTTP-01 challenge itself: a Service for the solver pods, a path to them, and its own ClusterIssuer (EDGE-3)", () => {
    const o = objects(plan);
    const solver = o.get("Service/acme-solver") as K8sObject;
    expect(solver.spec).toMatchObject({ type: "ClusterIP", selector: { "acme.cert-manager.io/http01-solver": "true" }, ports: [{ port: 8089, targetPort: "http" }] });
    expect((o.get("NetworkPolicy/acme-solver") as K8sObject).spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "edge", "app.kubernetes.io/part-of": "mcp-platform" } } }], ports: [{ protocol: "TCP", port: 8089 }] },
    ]);
    const issuer = o.get(`ClusterIssuer/acme-mcp-${stack}`) as K8sObject;
    // Let's Encrypt's directories (letsencrypt.org/docs/acme-protocol-updates, /docs/staging-environment).
    expect(issuer.spec.acme.server).toBe(stack === "production" ? "https://acme-v02.api.letsencrypt.org/directory" : "https://acme-staging-v02.api.letsencrypt.org/directory");
    expect(issuer.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: "mcp-platform-edge", serviceType: "ClusterIP" } } }]);
    const certificate = o.get("Certificate/edge") as K8sObject;
    expect(certificate.spec.issuerRef).toEqual({ name: `acme-mcp-${stack}`, kind: "ClusterIssuer", group: "cert-manager.io" });
    expect(certificate.metadata.annotations).toMatchObject({ "cert-manager.io/issue-temporary-certificate": "true", "pulumi.com/skipAwait": "true" });
    const tls = (o.get("Deployment/edge") as K8sObject).spec.template.spec.volumes.find((v: { name: string }) => v.name === "tls");
    expect(tls.secret).toEqual({ secretName: "edge-tls", optional: true });
    expect(o.get("ConfigMap/edge-nginx")!.data["nginx.conf"]).toContain(`proxy_pass http://acme-solver.mcp-${stack}.svc.cluster.local:8089;`);
  });

  it("starts after the services it routes to and cert-manager", () => {
    const edge = plan.resources.find((r) => r.type === "mcp-platform:edge:Edge")!;
    const names = edge.options.dependsOn.map((urn) => urn.split("::").pop());
    expect(names).toEqual(expect.arrayContaining(["api-service", "cluster-addons-cert-manager"]));
  });
});
