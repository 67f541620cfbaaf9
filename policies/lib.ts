/**
 * What the policies share: reading Kubernetes objects out of resource properties, their pod specs
 * and containers, images and quantities. Pure, importable without a policy server.
 */
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { COLOR_LABEL, NAME_LABEL } from "./contract";
import { parseQuantity } from "./quantity";

/**
 * The parts of Kubernetes objects the policies read, as resource properties hold them (a subset
 * of the core/v1 types, so the pack needs no Kubernetes SDK).
 */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
}
export interface Container {
  name: string;
  image?: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  securityContext?: SecurityContext;
  ports?: { containerPort?: number; hostPort?: number }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
}
export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: Pick<SecurityContext, "runAsNonRoot" | "runAsUser" | "seccompProfile">;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; hostPath?: { path: string }; configMap?: { name?: string }; secret?: { secretName?: string }; emptyDir?: { sizeLimit?: string; medium?: string } }[];
  topologySpreadConstraints?: unknown[];
  affinity?: { podAntiAffinity?: unknown };
}
/** A Kubernetes object as a resource's properties: its metadata plus kind-specific fields. */
export type KubeObject = { apiVersion: string; kind: string; metadata: ObjectMeta } & Record<string, unknown>;

export { parseQuantity };

/** The label of the blue-green colour (set by the service component) and the recommended labels the stack's objects carry. */
export { COLOR_LABEL, NAME_LABEL };
export const RECOMMENDED_LABELS = [NAME_LABEL, "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"];

/** Kinds that run pods. */
export const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);
/** Long-running workloads: probes, replicas and disruption budgets apply to these. */
export const SERVING_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);
/** Kinds without a namespace. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "ClusterIssuer",
  "PriorityClass",
  "StorageClass",
  "PersistentVolume",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
]);

/** The Kubernetes object of a resource, or undefined when it is not one (Helm releases, AWS, components). */
export function kubeObject(type: string, props: Record<string, unknown>): KubeObject | undefined {
  if (!type.startsWith("kubernetes:") || type.startsWith("kubernetes:helm.sh/")) return undefined;
  const { apiVersion, kind, metadata } = props as Partial<KubeObject>;
  return apiVersion && kind && metadata ? (props as KubeObject) : undefined;
}

export const isClusterScoped = (kind: string) => CLUSTER_SCOPED.has(kind);

/** An object's spec, as a record to read kind-specific fields from. */
export const specOf = (object: KubeObject) => (object.spec ?? {}) as Record<string, unknown>;

/** The pod template's spec of a workload (a Pod's own spec). */
export function podSpecOf(object: KubeObject): PodSpec | undefined {
  const spec = object.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  switch (object.kind) {
    case "Pod":
      return spec as unknown as PodSpec;
    case "CronJob":
      return (spec.jobTemplate as { spec?: { template?: { spec?: PodSpec } } } | undefined)?.spec?.template?.spec;
    default:
      return WORKLOAD_KINDS.has(object.kind) ? (spec.template as { spec?: PodSpec } | undefined)?.spec : undefined;
  }
}

/** The labels of a workload's pods. */
export function podLabelsOf(object: KubeObject): Record<string, string> {
  const spec = object.spec as { template?: { metadata?: ObjectMeta } } | undefined;
  return spec?.template?.metadata?.labels ?? {};
}

/** Every container of a pod spec, init containers (sidecars) included. */
export function containersOf(pod: PodSpec): { container: Container; init: boolean }[] {
  return [...(pod.initContainers ?? []).map((container) => ({ container, init: true })), ...(pod.containers ?? []).map((container) => ({ container, init: false }))];
}

/** "Deployment/api": how messages name an object. */
export const describe = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;

/** An image reference split into registry, repository, tag and digest (Docker Hub when no registry is named). */
export function parseImage(image: string): { registry: string; repository: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split("@");
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : undefined;
  const name = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const first = name.split("/")[0];
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return { registry: hasRegistry ? first : "docker.io", repository: hasRegistry ? name.slice(first.length + 1) : name, tag, digest };
}

/** Whether every label of the selector is among the labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** The stack's Kubernetes objects with their resources, for stack policies. */
export function kubeObjects(args: StackValidationArgs): { resource: PolicyResource; object: KubeObject }[] {
  return args.resources.flatMap((resource) => {
    const object = kubeObject(resource.type, resource.props);
    return object ? [{ resource, object }] : [];
  });
}

/** Reports a violation of a stack policy against one resource. */
export const reportOn = (report: ReportViolation, resource: PolicyResource, message: string) => report(message, resource.urn);
