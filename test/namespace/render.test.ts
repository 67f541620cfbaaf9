/**
 * The stack's namespace and its guard rails, rendered directly: pod security admission at
 * "restricted" in every mode (label keys and levels as Kubernetes documents them: concepts/security/
 * pod-security-admission), default-deny with DNS, the quota and the LimitRange from the settings.
 * The cluster tests apply them to a real API server, which enforces them.
 */
import { renderNamespace } from "../../components/namespace/render";
import type { PlatformConfig } from "../../config";
import { CAPACITY_PLAN_ANNOTATION } from "../../policies/contract";
import type { K8sObject } from "../harness";
import { validateObject } from "../k8s-schema";
import { stagingConfig as config } from "../fixtures";

/** The rendered objects as plain objects (what the render returns is plain; its types allow outputs). */
const render = (c: PlatformConfig) => renderNamespace(c) as unknown as Record<string, K8sObject | undefined>;


describe("renderNamespace", () => {
  it("renders objects the upstream schemas accept, all in the stack's namespace", () => {
    const manifests = render(config({ quota: { pods: 40, cpuRequests: "8", memoryRequests: "16Gi", cpuLimits: "16", memoryLimits: "32Gi" } }));
    for (const object of Object.values(manifests)) expect(() => validateObject(object!)).not.toThrow();
    expect(manifests.namespace!.metadata).toMatchObject({ name: "mcp-staging" });
    for (const object of [manifests.defaultDeny, manifests.allowDns, manifests.quota, manifests.limitRange]) expect(object!.metadata).toMatchObject({ namespace: "mcp-staging" });
  });

  it("enforces, warns about and audits the restricted Pod Security Standard, at the latest version", () => {
    expect(render(config()).namespace!.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
    });
  });

  it("denies all traffic but DNS to kube-dns, over UDP and TCP", () => {
    const { defaultDeny, allowDns } = render(config());
    expect(defaultDeny!.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(allowDns!.spec).toMatchObject({ policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }] });
  });

  it("turns the quota and container limits into ResourceQuota and LimitRange amounts (ephemeral-storage as Kubernetes names it)", () => {
    const { quota, limitRange } = render(config({ quota: { pods: 40, cpuRequests: "8", memoryRequests: "16Gi", cpuLimits: "16", memoryLimits: "32Gi" } }));
    expect(quota?.spec?.hard).toEqual({ "requests.cpu": "8", "requests.memory": "16Gi", "limits.cpu": "16", "limits.memory": "32Gi", pods: "40" });
    const [limits] = limitRange!.spec.limits as Record<string, unknown>[];
    expect(limits.type).toBe("Container");
    for (const key of ["defaultRequest", "default", "max"]) expect(Object.keys(limits[key] as object).sort()).toEqual(["cpu", "ephemeral-storage", "memory"]);
  });

  it("has no quota without one, and annotates only the capacity plan and the promotion that were set", () => {
    const plain = render(config());
    expect(plain.quota).toBeUndefined();
    expect(plain.namespace!.metadata.annotations).toBeUndefined();
    const annotated = render(
      config({ capacity: { tenants: ["acme", "globex"] }, postgres: { storage: { size: "30Gi" } }, promotion: { from: "staging", at: "2026-12-01T10:00:00Z", images: { api: "ghcr.io/example/mcp-server:1.4.2" } } }),
    ).namespace!.metadata.annotations!;
    expect(JSON.parse(annotated[CAPACITY_PLAN_ANNOTATION])).toMatchObject({ tenants: 2, baseCpu: "2", perTenantCpu: "100m" });
    expect(annotated).toMatchObject({ "mcp-platform.io/promoted-from": "staging", "mcp-platform.io/promoted-at": "2026-12-01T10:00:00Z" });
  });
});
