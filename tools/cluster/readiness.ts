/**
 * What the cluster made of the applied workloads: Deployments and StatefulSets whose pods are all
 * updated and Ready, Jobs complete (pods run by kwok), and the Ready pods behind each Service's
 * EndpointSlices. A workload that is not there yet is described with its conditions and the
 * Warning events of it and its ReplicaSets (a pod Pod Security refused shows up there).
 */
import { sleep } from "./control-plane";
import { objectId } from "./apply";
import type { KubeClient, KubeObject } from "./kube-client";

type Condition = { type: string; status: string; reason?: string; message?: string };
type Workload = KubeObject & { metadata: KubeObject["metadata"] & { generation?: number }; spec: { replicas?: number }; status?: Record<string, unknown> & { conditions?: Condition[] } };

export interface WorkloadState {
  id: string;
  ready: boolean;
  /** Why it is not ready: counts, failing conditions, Warning events. */
  detail: string;
  /** A pod could not be created (FailedCreate) or the Job failed: waiting longer will not help. */
  failed: boolean;
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "Job"];
export const isWorkload = (o: KubeObject): boolean => WORKLOAD_KINDS.includes(o.kind);

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

/** Is the workload done, judged from its live status alone? Pure, for the kinds above. */
export function isReady(live: Workload): boolean {
  const status = live.status ?? {};
  if (live.kind === "Job") return (status.conditions ?? []).some((c) => c.type === "Complete" && c.status === "True");
  const replicas = live.spec.replicas ?? 1;
  const observed = num(status.observedGeneration) >= (live.metadata.generation ?? 0);
  const counts = num(status.readyReplicas) === replicas && num(status.updatedReplicas) === replicas && num(status.replicas) === replicas;
  if (live.kind === "StatefulSet") return observed && counts && status.currentRevision === status.updateRevision;
  return observed && counts && num(status.availableReplicas) === replicas;
}

async function warningEvents(client: KubeClient, namespace: string, names: string[]): Promise<string[]> {
  const events = await client.list<{ type: string; reason: string; message: string; involvedObject: { name: string } }>("v1", "Event", namespace, { fieldSelector: "type=Warning" });
  return events.filter((e) => names.some((n) => e.involvedObject.name.startsWith(n))).map((e) => `${e.reason}: ${e.message}`);
}

export async function workloadState(client: KubeClient, object: KubeObject): Promise<WorkloadState> {
  const id = objectId(object);
  const live = await client.get<Workload>(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
  if (!live) return { id, ready: false, detail: "not found", failed: true };
  if (isReady(live)) return { id, ready: true, detail: "", failed: false };
  const conditions = (live.status?.conditions ?? []).filter((c) => c.status !== (c.type === "Progressing" || c.type === "Available" ? "True" : "False"));
  const events = await warningEvents(client, object.metadata.namespace ?? "default", [object.metadata.name]);
  const { readyReplicas, updatedReplicas, replicas, succeeded, failed } = live.status ?? {};
  const counts = live.kind === "Job" ? `succeeded ${num(succeeded)}, failed ${num(failed)}` : `ready ${num(readyReplicas)}, updated ${num(updatedReplicas)}, replicas ${num(replicas)} of ${live.spec.replicas ?? 1}`;
  const detail = [counts, ...conditions.map((c) => `${c.type}=${c.status} ${c.reason ?? ""}: ${c.message ?? ""}`), ...[...new Set(events)]].join("\n    ");
  const hopeless = events.some((e) => e.startsWith("FailedCreate")) || conditions.some((c) => c.type === "ReplicaFailure" || (c.type === "Failed" && c.status === "True"));
  return { id, ready: false, detail, failed: hopeless };
}

/**
 * Waits until every workload among the objects is ready; returns those that are not when the time
 * is up (or at once when one cannot get there): empty when all are.
 */
export async function waitForWorkloads(client: KubeClient, objects: KubeObject[], timeoutMs = 90000): Promise<WorkloadState[]> {
  const workloads = objects.filter(isWorkload);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(workloads.map((w) => workloadState(client, w)));
    const waiting = states.filter((s) => !s.ready);
    if (waiting.length === 0 || Date.now() > deadline || waiting.some((s) => s.failed)) return waiting;
    await sleep(500);
  }
}

export interface Endpoint {
  pod: string;
  ready: boolean;
  labels: Record<string, string>;
}

/** The pods behind a Service's EndpointSlices, with their readiness and labels. */
export async function serviceEndpoints(client: KubeClient, namespace: string, service: string): Promise<Endpoint[]> {
  type Slice = { endpoints?: { targetRef?: { kind: string; name: string }; conditions?: { ready?: boolean } }[] };
  const slices = await client.list<Slice>("discovery.k8s.io/v1", "EndpointSlice", namespace, { labelSelector: `kubernetes.io/service-name=${service}` });
  const endpoints = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.targetRef?.kind === "Pod");
  return Promise.all(
    endpoints.map(async (e) => {
      const pod = await client.get("v1", "Pod", e.targetRef!.name, namespace);
      return { pod: e.targetRef!.name, ready: e.conditions?.ready === true, labels: pod?.metadata.labels ?? {} };
    }),
  );
}
