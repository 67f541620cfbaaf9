/**
 * Resource policies on every workload's pods (Deployments, StatefulSets, DaemonSets, Jobs,
 * CronJobs, bare Pods) and on Helm releases' values where the stack sets them: resources and the
 * environment's limits (CAP-3), probes (MON-1), pinned images from allowed registries, the
 * restricted security profile, no secret literals, recommended labels and namespaces.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { MOVING_TAGS } from "./contract";
import {
  containersOf,
  describe,
  isClusterScoped,
  kubeObject,
  parseImage,
  parseQuantity,
  podSpecOf,
  RECOMMENDED_LABELS,
  SERVING_KINDS,
  type Container,
  type KubeObject,
  type PodSpec,
} from "./lib";

type WorkloadCheck = (object: KubeObject, pod: PodSpec, args: ResourceValidationArgs, report: ReportViolation) => void;

/** A policy over the pod spec of every Kubernetes workload. */
function workloadPolicy(policy: Omit<ResourceValidationPolicy, "validateResource">, check: WorkloadCheck): ResourceValidationPolicy {
  return {
    ...policy,
    validateResource: (args, report) => {
      const object = kubeObject(args.type, args.props);
      const pod = object && podSpecOf(object);
      if (object && pod) check(object, pod, args, report);
    },
  };
}

const where = (object: KubeObject, container: Container) => `${describe(object)} container ${container.name}`;

interface LimitsConfig {
  maxCpu: string;
  maxMemory: string;
}

/** Values of a Helm release that are a container's resources or image, with their path. */
function helmValues(values: unknown, path = "values"): { path: string; resources?: Container["resources"]; image?: string }[] {
  if (!values || typeof values !== "object") return [];
  const found: { path: string; resources?: Container["resources"]; image?: string }[] = [];
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    const at = `${path}.${key}`;
    if (key === "resources" && value && typeof value === "object") found.push({ path: at, resources: value as Container["resources"] });
    else if (key === "image" && value && typeof value === "object") {
      const image = value as { registry?: string; repository?: string; tag?: string };
      if (image.repository && image.tag !== undefined) found.push({ path: at, image: `${image.registry ? `${image.registry}/` : ""}${image.repository}:${image.tag}` });
    } else found.push(...helmValues(value, at));
  }
  return found;
}
const isHelmRelease = (type: string) => type === "kubernetes:helm.sh/v3:Release";

/** Problems of one container's limits against the environment's maximum. */
function limitProblems(limits: Record<string, string> | undefined, config: LimitsConfig): string[] {
  const problems: string[] = [];
  const cpu = limits?.cpu && parseQuantity(String(limits.cpu));
  const memory = limits?.memory && parseQuantity(String(limits.memory));
  if (cpu && cpu > parseQuantity(config.maxCpu)!) problems.push(`CPU limit ${limits!.cpu} is above this environment's maximum ${config.maxCpu}`);
  if (memory && memory > parseQuantity(config.maxMemory)!) problems.push(`memory limit ${limits!.memory} is above this environment's maximum ${config.maxMemory}`);
  return problems;
}

export const containerResources: ResourceValidationPolicy = {
  name: "container-resources",
  description: "Every container requests CPU and memory, has a memory limit, and its limits stay within the environment's maximum (CAP-3).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxCpu: { type: "string", default: "4", description: "Highest CPU limit of a container." },
      maxMemory: { type: "string", default: "8Gi", description: "Highest memory limit of a container." },
    },
  },
  validateResource: (args, report) => {
    const config = args.getConfig<LimitsConfig>();
    if (isHelmRelease(args.type)) {
      for (const value of helmValues(args.props.values)) {
        for (const problem of value.resources ? limitProblems(value.resources.limits, config) : []) report(`Helm release ${args.name} ${value.path}: ${problem}: lower it.`);
      }
      return;
    }
    const object = kubeObject(args.type, args.props);
    const pod = object && podSpecOf(object);
    if (!object || !pod) return;
    for (const { container } of containersOf(pod)) {
      const { requests, limits } = container.resources ?? {};
      const missing = [!requests?.cpu && "a CPU request", !requests?.memory && "a memory request", !limits?.memory && "a memory limit"].filter(Boolean);
      if (missing.length) report(`${where(object, container)} has no ${missing.join(", no ")}: set resources.requests.cpu/memory and resources.limits.memory.`);
      for (const problem of limitProblems(limits, config)) report(`${where(object, container)}: ${problem}: lower it, or raise the maximum in this environment's policy config.`);
    }
  },
};

export const containerProbes = workloadPolicy(
  {
    name: "container-probes",
    description: "Every container of a long-running workload has a readiness and a liveness probe, and they differ (MON-1).",
    enforcementLevel: "mandatory",
  },
  (object, pod, _args, report) => {
    if (!SERVING_KINDS.has(object.kind)) return;
    for (const { container, init } of containersOf(pod)) {
      if (init && container.restartPolicy !== "Always") continue;
      if (!container.readinessProbe || !container.livenessProbe) {
        report(`${where(object, container)} has no ${!container.readinessProbe ? "readinessProbe" : "livenessProbe"}: add one (readiness: ready for traffic; liveness: restart when stuck).`);
      } else if (JSON.stringify(container.readinessProbe) === JSON.stringify(container.livenessProbe)) {
        report(`${where(object, container)} has identical readiness and liveness probes: a dependency outage would restart every pod; make liveness check the process only (e.g. /health vs /health/ready).`);
      }
    }
  },
);

interface ImageConfig {
  requireDigest: boolean;
  tagOnlyAllowed: string[];
  registries: string[];
}

/** Problems of one image reference under the image rules. */
function imageProblems(image: string, config: ImageConfig): string[] {
  const { registry, repository, tag, digest } = parseImage(image);
  const problems: string[] = [];
  if (!tag && !digest) problems.push(`image ${image} has neither tag nor digest: pin a release tag and digest`);
  if (tag && MOVING_TAGS.has(tag)) problems.push(`image ${image} uses the moving tag "${tag}": pin a release tag or a digest`);
  const tagOnly = config.tagOnlyAllowed.includes(repository) || config.tagOnlyAllowed.includes(`${registry}/${repository}`);
  if (config.requireDigest && !digest && !tagOnly) problems.push(`image ${image} has no digest: this environment runs images by digest (repository@sha256:...)`);
  if (!config.registries.includes(registry)) problems.push(`image ${image} comes from ${registry}, which is not an allowed registry (${config.registries.join(", ")})`);
  return problems;
}

export const imagePinned: ResourceValidationPolicy = {
  name: "image-pinned",
  description: "Every image names a tag that does not move (never latest) and, where the environment says so, a digest; it comes from an allowed registry.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requireDigest: { type: "boolean", default: false, description: "Images must carry a digest (production)." },
      tagOnlyAllowed: { type: "array", items: { type: "string" }, default: [], description: "Repositories allowed by tag alone where digests are required (reviewed exceptions)." },
      registries: { type: "array", items: { type: "string" }, default: ["ghcr.io", "docker.io", "quay.io", "registry.k8s.io"], description: "Registries images may come from." },
    },
  },
  validateResource: (args, report) => {
    const config = args.getConfig<ImageConfig>();
    if (isHelmRelease(args.type)) {
      for (const value of helmValues(args.props.values)) {
        for (const problem of value.image ? imageProblems(value.image, config) : []) report(`Helm release ${args.name} ${value.path}: ${problem}.`);
      }
      return;
    }
    const object = kubeObject(args.type, args.props);
    const pod = object && podSpecOf(object);
    if (object && pod) {
      for (const { container } of containersOf(pod)) for (const problem of imageProblems(String(container.image ?? ""), config)) report(`${where(object, container)}: ${problem}.`);
    }
    // CloudNativePG runs the operand image it is given.
    if (object?.kind === "Cluster" && object.apiVersion.startsWith("postgresql.cnpg.io/")) {
      const image = (object.spec as { imageName?: string }).imageName;
      if (image) for (const problem of imageProblems(image, config)) report(`${describe(object)} spec.imageName: ${problem}.`);
    }
  },
};

export const podSecurity = workloadPolicy(
  {
    name: "pod-security-restricted",
    description:
      "Pods run under the restricted profile: non-root with a non-zero uid, read-only root filesystem, no privilege escalation, not privileged, all capabilities dropped, RuntimeDefault seccomp, no host namespaces, paths or ports.",
    enforcementLevel: "mandatory",
  },
  (object, pod, _args, report) => {
    const podContext = pod.securityContext ?? {};
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) report(`${describe(object)} uses the host's network, PID or IPC namespace: remove hostNetwork/hostPID/hostIPC.`);
    for (const volume of pod.volumes ?? []) {
      if (volume.hostPath) report(`${describe(object)} mounts host path ${volume.hostPath.path} (volume ${volume.name}): use a PersistentVolumeClaim, a ConfigMap or an emptyDir.`);
    }
    for (const { container } of containersOf(pod)) {
      const c = container.securityContext ?? {};
      const at = where(object, container);
      const runAsNonRoot = c.runAsNonRoot ?? podContext.runAsNonRoot;
      const uid = c.runAsUser ?? podContext.runAsUser;
      if (runAsNonRoot !== true) report(`${at} may run as root: set securityContext.runAsNonRoot: true.`);
      if (uid === undefined || uid === 0) report(`${at} has ${uid === 0 ? "uid 0" : "no runAsUser"}: set a non-zero runAsUser (the image's unprivileged user).`);
      if (c.readOnlyRootFilesystem !== true) report(`${at} can write its root filesystem: set readOnlyRootFilesystem: true and mount an emptyDir where it writes.`);
      if (c.allowPrivilegeEscalation !== false) report(`${at} may escalate privileges: set allowPrivilegeEscalation: false.`);
      if (c.privileged) report(`${at} is privileged: remove privileged: true.`);
      if (!(c.capabilities?.drop ?? []).includes("ALL")) report(`${at} keeps Linux capabilities: set capabilities.drop: [ALL].`);
      if ((c.capabilities?.add ?? []).length) report(`${at} adds capabilities ${c.capabilities!.add!.join(", ")}: remove them.`);
      if ((c.seccompProfile ?? podContext.seccompProfile)?.type !== "RuntimeDefault") report(`${at} has no RuntimeDefault seccomp profile: set securityContext.seccompProfile.type: RuntimeDefault.`);
      for (const port of container.ports ?? []) if (port.hostPort) report(`${at} binds host port ${port.hostPort}: remove hostPort and use a Service.`);
    }
  },
);

export const noServiceAccountToken = workloadPolicy(
  {
    name: "no-service-account-token",
    description: "Pods do not mount a Kubernetes API token they do not need: only the service accounts listed may (the restore drill's, which creates its scratch cluster, and the pre-release backup gate's, which reads Backups).",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        tokenAccounts: {
          type: "array",
          items: { type: "string" },
          default: ["restore-drill", "backup-gate"],
          description: "Service accounts whose pods call the Kubernetes API and may mount a token.",
        },
      },
    },
  },
  (object, pod, args, report) => {
    const { tokenAccounts } = args.getConfig<{ tokenAccounts: string[] }>();
    if (pod.automountServiceAccountToken === false) return;
    if (pod.serviceAccountName && tokenAccounts.includes(pod.serviceAccountName)) return;
    report(`${describe(object)} mounts a service account token: set automountServiceAccountToken: false in the pod spec.`);
  },
);

/** Environment variable names whose values are secrets. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_?KEY|API_?KEY|SIGNING_?KEY|ACCESS_?KEY)/i;

export const noSecretLiterals = workloadPolicy(
  {
    name: "no-secret-literals",
    description: "Variables that hold passwords, tokens or keys come from a Secret (secretKeyRef), never a literal value.",
    enforcementLevel: "mandatory",
  },
  (object, pod, _args, report) => {
    for (const { container } of containersOf(pod)) {
      for (const variable of container.env ?? []) {
        if (SECRET_NAME.test(variable.name) && variable.value) {
          report(`${where(object, container)} sets ${variable.name} to a literal value: move it to a Secret and use valueFrom.secretKeyRef (mcp-platform:secrets.generated, or { secretKeyRef } in the service's env).`);
        }
      }
    }
  },
);

export const noBarePods: ResourceValidationPolicy = {
  name: "no-bare-pods",
  description: "Pods are run by a controller (Deployment, StatefulSet, Job), never created bare: a bare pod is not rescheduled when its node goes.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const object = kubeObject(args.type, args.props);
    if (object?.kind === "Pod") report(`${describe(object)} is a bare Pod: run it from a Deployment, or a Job for a one-off task.`);
  },
};

export const notDefaultNamespace: ResourceValidationPolicy = {
  name: "not-default-namespace",
  description: "Namespaced objects and Helm releases name a namespace, and it is not `default`.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (isHelmRelease(args.type)) {
      const namespace = args.props.namespace as string | undefined;
      if (!namespace || namespace === "default") report(`Helm release ${args.name} installs into the default namespace: set namespace.`);
      return;
    }
    const object = kubeObject(args.type, args.props);
    if (!object || isClusterScoped(object.kind)) return;
    const namespace = object.metadata.namespace;
    if (!namespace || namespace === "default") report(`${describe(object)} is in the default namespace${namespace ? "" : " (no metadata.namespace)"}: put it in the stack's namespace.`);
  },
};

export const recommendedLabels = workloadPolicy(
  {
    name: "recommended-labels",
    description: "Workloads carry Kubernetes' recommended labels (app.kubernetes.io/name, part-of, managed-by), which dashboards, alerts and selectors rely on.",
    enforcementLevel: "mandatory",
  },
  (object, _pod, _args, report) => {
    const labels = object.metadata.labels ?? {};
    const missing = RECOMMENDED_LABELS.filter((label) => !labels[label]);
    if (missing.length) report(`${describe(object)} lacks the label${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: add them to metadata.labels.`);
  },
);

export const ephemeralStorageBounded = workloadPolicy(
  {
    name: "ephemeral-storage-bounded",
    description:
      "Every container requests and limits ephemeral-storage, and every emptyDir has a sizeLimit: a runaway file fills its own pod's budget (and gets it evicted), not the node (Polaris, kube-score, Checkov).",
    enforcementLevel: "mandatory",
  },
  (object, pod, _args, report) => {
    for (const { container } of containersOf(pod)) {
      const { requests, limits } = container.resources ?? {};
      const missing = [!requests?.["ephemeral-storage"] && "request", !limits?.["ephemeral-storage"] && "limit"].filter(Boolean);
      if (missing.length) report(`${where(object, container)} has no ephemeral-storage ${missing.join(" or ")}: set resources.requests and resources.limits["ephemeral-storage"].`);
    }
    for (const volume of pod.volumes ?? []) {
      if (volume.emptyDir && !volume.emptyDir.sizeLimit) report(`${describe(object)} volume ${volume.name} is an emptyDir without a sizeLimit: bound it.`);
    }
  },
);

export const workloadPolicies = [containerResources, ephemeralStorageBounded, containerProbes, imagePinned, podSecurity, noServiceAccountToken, noSecretLiterals, noBarePods, notDefaultNamespace, recommendedLabels];
