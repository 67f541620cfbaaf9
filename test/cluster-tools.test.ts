/**
 * The pure parts of the cluster tests' tooling (tools/cluster/), without a cluster: warning
 * headers, REST paths, apply order, ignoreChanges, the volumes a provisioner would supply,
 * readiness from a workload's status, the control plane's flags.
 */
import { byApplyOrder, objectId, plannedObjects, volumesFor, withIgnoredFields } from "../tools/cluster/apply";
import { apiserverArgs, kubeconfigText, kwokArgs } from "../tools/cluster/control-plane";
import { collectionPath, parseWarnings, type KubeObject } from "../tools/cluster/kube-client";
import { pkiFiles } from "../tools/cluster/pki";
import { isReady } from "../tools/cluster/readiness";
import { render } from "./harness";

const object = (kind: string, name: string, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: "v1", kind, metadata: { name, namespace: "ns" }, ...extra });

describe("warning headers", () => {
  it("parses one or several RFC 7234 warnings, joined by Node or not", () => {
    expect(parseWarnings('299 - "would violate PodSecurity \\"restricted:latest\\": runAsNonRoot != true"')).toEqual(['would violate PodSecurity "restricted:latest": runAsNonRoot != true']);
    expect(parseWarnings('299 - "a, b", 299 - "c"')).toEqual(["a, b", "c"]);
    expect(parseWarnings(["299 - \"x\"", "299 - \"y\""])).toEqual(["x", "y"]);
    expect(parseWarnings(undefined)).toEqual([]);
  });
});

describe("REST paths", () => {
  it("core and grouped APIs, namespaced or not", () => {
    expect(collectionPath("v1", "pods", "ns")).toBe("/api/v1/namespaces/ns/pods");
    expect(collectionPath("apps/v1", "deployments", "ns")).toBe("/apis/apps/v1/namespaces/ns/deployments");
    expect(collectionPath("v1", "namespaces")).toBe("/api/v1/namespaces");
  });
});

describe("applying a plan", () => {
  it("puts namespaces, then what pods need, then workloads, then custom resources", () => {
    const kinds = ["Cluster", "Deployment", "Secret", "Namespace", "Job", "ServiceAccount"].map((k) => object(k, "x"));
    expect(kinds.sort(byApplyOrder).map((o) => o.kind)).toEqual(["Namespace", "ServiceAccount", "Secret", "Job", "Deployment", "Cluster"]);
  });

  it("keeps a field under ignoreChanges as first applied", () => {
    const planned = { object: object("Job", "migrate", { spec: { template: "new" } }), ignoreChanges: ["spec"] };
    expect(withIgnoredFields(planned, undefined).spec).toEqual({ template: "new" });
    expect(withIgnoredFields(planned, object("Job", "migrate", { spec: { template: "old" } })).spec).toEqual({ template: "old" });
    expect(() => withIgnoredFields({ ...planned, ignoreChanges: ["spec.template"] }, planned.object)).toThrow(/top-level fields only/);
  });

  it("supplies a pre-bound volume for each claim and each StatefulSet replica's claim", () => {
    const claim = object("PersistentVolumeClaim", "uploads", { spec: { accessModes: ["ReadWriteMany"], storageClassName: "efs", resources: { requests: { storage: "5Gi" } } } });
    const sts = object("StatefulSet", "redis", { spec: { replicas: 2, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "1Gi" } } } }] } });
    const volumes = volumesFor([claim, sts]);
    expect(volumes.map((v) => [v.metadata.name, (v.spec as { claimRef: unknown }).claimRef])).toEqual([
      ["pv-ns-uploads", { namespace: "ns", name: "uploads" }],
      ["pv-ns-data-redis-0", { namespace: "ns", name: "data-redis-0" }],
      ["pv-ns-data-redis-1", { namespace: "ns", name: "data-redis-1" }],
    ]);
    expect(volumes[0].spec).toMatchObject({ storageClassName: "efs", accessModes: ["ReadWriteMany"], capacity: { storage: "5Gi" } });
    expect(volumes[1].spec).toMatchObject({ storageClassName: "", accessModes: ["ReadWriteOnce"] });
  });

  it("takes a stack's Kubernetes objects, not its Helm releases or AWS resources", async () => {
    const plan = await render("staging", undefined, true);
    const ids = plannedObjects(plan).map((p) => objectId(p.object));
    expect(ids[0]).toBe("Namespace mcp-staging");
    expect(ids).toContain("Deployment mcp-staging/api-blue");
    expect(plan.resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release")).toBe(true);
    expect(ids.some((id) => /Release|Bucket/.test(id))).toBe(false);
  });
});

describe("readiness from a workload's status", () => {
  const deployment = (status: Record<string, unknown>, replicas = 2) => ({ ...object("Deployment", "api"), metadata: { name: "api", generation: 3 }, spec: { replicas }, status });
  it("a Deployment whose pods are all updated, ready and available at its generation", () => {
    expect(isReady(deployment({ observedGeneration: 3, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toBe(true);
    expect(isReady(deployment({ observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toBe(false);
    expect(isReady(deployment({ observedGeneration: 3, replicas: 3, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toBe(false);
    expect(isReady(deployment({ observedGeneration: 3 }, 0))).toBe(true);
  });
  it("a StatefulSet at one revision; a Job complete", () => {
    const sts = { ...object("StatefulSet", "redis"), spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: "a", updateRevision: "b" } };
    expect(isReady(sts)).toBe(false);
    expect(isReady({ ...sts, status: { ...sts.status, updateRevision: "a" } })).toBe(true);
    expect(isReady({ ...object("Job", "m"), spec: {}, status: { conditions: [{ type: "Complete", status: "True" }] } })).toBe(true);
  });
});

describe("the control plane's flags", () => {
  const ports = { etcdClient: 1, etcdPeer: 2, apiserver: 3, kwok: 4 };
  it("binds every component to loopback", () => {
    const pki = pkiFiles("/p");
    expect(apiserverArgs("/d", ports, pki)).toEqual(expect.arrayContaining(["--bind-address=127.0.0.1", "--secure-port=3", "--etcd-servers=http://127.0.0.1:1", "--client-ca-file=/p/ca.crt"]));
    expect(kwokArgs("/k", "/s.yaml", ports)).toContain("--server-address=127.0.0.1:4");
    expect(kubeconfigText("https://127.0.0.1:3", pki)).toContain("server: https://127.0.0.1:3");
  });
});
