/**
 * Pure rendering of one app service into Kubernetes objects: ServiceAccount, one Deployment per
 * colour (or one without colours), Services, autoscalers, disruption budgets, migration Jobs and
 * its NetworkPolicy. No Pulumi resources here: the component wires what these functions return.
 */
import type * as k8s from "@pulumi/kubernetes";
import { imageIdentity, imageReference, routedServices, type Color, type Image, type PlatformConfig, type ServiceConfig } from "../../config";
import { dataBindings, type Bindings } from "../bindings";
import { clientsRule, podPolicy, scrapeRule, tcpPorts } from "../network";
import {
  COLOR_LABEL,
  RESTART_ALL_ANNOTATION,
  RESTART_ANNOTATION,
  SECRETS_ROTATION_ANNOTATION,
  recommendedLabels,
  selectorLabels,
  shortHash,
  versionLabel,
} from "../labels";
import { containerResources } from "../resources";
import { RESTRICTED_CONTAINER, restrictedPod } from "../security";
import { edgeNames } from "../edge/public";
import { OTLP_GRPC_PORT, OTLP_HTTP_PORT, monitoringEndpoints } from "../monitoring/public";
import { APP_SECRETS, componentOf } from "./public";

type Container = k8s.types.input.core.v1.Container;
type PodSpec = k8s.types.input.core.v1.PodSpec;

/** The stack-wide settings a service's rendering depends on. */
export interface StackContext {
  namespace: string;
  environment: PlatformConfig["environment"];
  restartedAt?: string;
  secrets: PlatformConfig["secrets"];
  /** Every service of the stack, for the network rules between them. */
  services: Record<string, ServiceConfig>;
  /** What each data service gives the services that use it. */
  bindings: Bindings;
  /** Pod labels of the edge, when the stack has one, and the services it routes to. */
  edge?: { selector: Record<string, string>; routes: string[] };
  /** Namespace of the Prometheus that scrapes the stack. */
  monitoringNamespace: string;
  /** Where services send traces (OTLP over gRPC), when tracing is on. */
  otlpEndpoint?: string;
}

export function stackContext(config: PlatformConfig): StackContext {
  const { namespace, environment, restartedAt, secrets, services } = config;
  const edge = config.edge && { selector: edgeNames().selector, routes: routedServices(config.edge) };
  const otlpEndpoint = config.monitoring.tracing.enabled ? monitoringEndpoints(config.monitoring.namespace).otlp : undefined;
  return { namespace, environment, restartedAt, secrets, services, bindings: dataBindings(config), edge, monitoringNamespace: config.monitoring.namespace, otlpEndpoint };
}

/** One Deployment with the objects that belong to it. */
export interface Workload {
  /** The colour, for blue-green services. */
  color?: Color;
  /** Serves the service's main Service. */
  active: boolean;
  deployment: k8s.types.input.apps.v1.Deployment;
  autoscaler?: k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler;
  disruptionBudget: k8s.types.input.policy.v1.PodDisruptionBudget;
  /** Name of the migration Job that must complete before this Deployment rolls out. */
  migration?: string;
  /** The release (version label) this Deployment rolls out at full scale; none for an idle standby. */
  release?: string;
}

export interface ServiceManifests {
  serviceAccount: k8s.types.input.core.v1.ServiceAccount;
  workloads: Workload[];
  migrations: k8s.types.input.batch.v1.Job[];
  /** The main Service, then `<svc>-preview` for blue-green services. Empty for a worker. */
  services: k8s.types.input.core.v1.Service[];
  networkPolicy: k8s.types.input.networking.v1.NetworkPolicy;
}

export function renderService(ctx: StackContext, name: string, svc: ServiceConfig): ServiceManifests {
  const labels = recommendedLabels(name, ctx.environment, componentOf(svc));
  const meta = (objectName: string, extra: Record<string, string> = {}) => ({
    name: objectName,
    namespace: ctx.namespace,
    labels: { ...labels, ...extra },
  });
  const plan = colourPlan(name, svc);
  // Deployments, Services and budgets select one colour's serving pods; the component label keeps
  // migration pods (same name labels) out of every Service.
  const podSelector = (color?: Color): Record<string, string> => ({
    ...selectorLabels(name, ctx.environment),
    "app.kubernetes.io/component": componentOf(svc),
    ...(color ? { [COLOR_LABEL]: color } : {}),
  });
  const migrations = new Map<string, k8s.types.input.batch.v1.Job>();
  const workloads = plan.map((entry): Workload => {
    const migration = entry.fullScale && svc.migrations ? migrationJob(ctx, name, svc, entry.image, meta) : undefined;
    if (migration) migrations.set(migration.name, migration.job);
    return {
      color: entry.color,
      active: entry.active,
      deployment: deployment(ctx, name, svc, entry, podSelector(entry.color), meta),
      autoscaler: entry.fullScale && svc.autoscaling ? autoscaler(svc, entry.name, meta) : undefined,
      disruptionBudget: {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: meta(entry.name),
        spec: {
          maxUnavailable: svc.disruptionMaxUnavailable,
          selector: { matchLabels: podSelector(entry.color) },
        },
      },
      migration: migration?.name,
      release: entry.fullScale ? versionLabel(entry.image) : undefined,
    };
  });
  return {
    serviceAccount: {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: meta(name),
      automountServiceAccountToken: false,
    },
    workloads,
    migrations: [...migrations.values()],
    services: svc.port === undefined ? [] : services(name, svc, plan, podSelector, meta),
    networkPolicy: networkPolicy(ctx, name, svc, meta),
  };
}

interface ColourEntry {
  name: string;
  color?: Color;
  image: Image;
  active: boolean;
  /** Runs like the active colour (replicas or autoscaler), not at the idle standby count. */
  fullScale: boolean;
}

/** Which Deployments a service has and how each is scaled. */
export function colourPlan(name: string, svc: ServiceConfig): ColourEntry[] {
  const bg = svc.blueGreen;
  if (!bg) return [{ name, image: svc.image as Image, active: true, fullScale: true }];
  return (["blue", "green"] as const).map((color) => {
    const active = color === bg.activeColor;
    return { name: `${name}-${color}`, color, image: bg[color].image, active, fullScale: active || bg.standbyScale === "full" };
  });
}

type Meta = (name: string, extra?: Record<string, string>) => k8s.types.input.meta.v1.ObjectMeta;

function deployment(
  ctx: StackContext,
  name: string,
  svc: ServiceConfig,
  entry: ColourEntry,
  selector: Record<string, string>,
  meta: Meta,
): k8s.types.input.apps.v1.Deployment {
  const podLabels = {
    ...recommendedLabels(name, ctx.environment, componentOf(svc), { "app.kubernetes.io/version": versionLabel(entry.image) }),
    ...(entry.color ? { [COLOR_LABEL]: entry.color } : {}),
  };
  const standbyReplicas = svc.blueGreen?.standbyReplicas ?? 0;
  // With an autoscaler the HPA owns the replica count; setting it here would fight the HPA on every `pulumi up`.
  const replicas = entry.fullScale ? (svc.autoscaling ? undefined : svc.replicas) : standbyReplicas;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(entry.name, podLabels),
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: svc.maxSurge } },
      template: {
        metadata: { labels: podLabels, annotations: podAnnotations(ctx, svc) },
        spec: podSpec(ctx, name, svc, entry.image, selector, "app"),
      },
    },
  };
}

function podAnnotations(ctx: StackContext, svc: ServiceConfig): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (ctx.restartedAt) annotations[RESTART_ALL_ANNOTATION] = ctx.restartedAt;
  if (svc.restartedAt) annotations[RESTART_ANNOTATION] = svc.restartedAt;
  const rotation = secretsRotation(ctx, svc);
  if (rotation) annotations[SECRETS_ROTATION_ANNOTATION] = rotation;
  const metricsPort = svc.metrics.port ?? svc.port;
  if (svc.metrics.enabled && metricsPort !== undefined) {
    annotations["prometheus.io/scrape"] = "true";
    annotations["prometheus.io/port"] = String(metricsPort);
    annotations["prometheus.io/path"] = svc.metrics.path;
  }
  return annotations;
}

/** Changes when a generated secret the service uses is rotated, so its pods pick up the new value. */
function secretsRotation(ctx: StackContext, svc: ServiceConfig): string | undefined {
  const used = Object.values(svc.env)
    .flatMap((value) => (typeof value === "object" && "secret" in value ? [value.secret] : []))
    .sort();
  const data = svc.uses.map((use) => ctx.bindings[use]?.rotation ?? "");
  if (used.length === 0 && data.length === 0) return undefined;
  return [ctx.secrets.rotation, ...used.map((s) => `${s}:${ctx.secrets.generated[s]?.rotation ?? 0}`), ...data].join(",");
}

function podSpec(
  ctx: StackContext,
  name: string,
  svc: ServiceConfig,
  image: Image,
  selector: Record<string, string>,
  containerName: string,
): PodSpec {
  const writable = ["/tmp", ...svc.writablePaths].map((path, i) => ({ name: `writable-${i}`, path }));
  return {
    serviceAccountName: name,
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: svc.terminationGracePeriodSeconds,
    securityContext: restrictedPod(svc.runAsUser),
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: svc.topologySpread === "required" ? "DoNotSchedule" : "ScheduleAnyway",
        labelSelector: { matchLabels: selector },
        matchLabelKeys: ["pod-template-hash"],
      },
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: selector },
        matchLabelKeys: ["pod-template-hash"],
      },
    ],
    containers: [
      {
        ...container(ctx, svc, image, containerName, name),
        volumeMounts: [
          ...writable.map((v) => ({ name: v.name, mountPath: v.path })),
          ...svc.mounts.map((m) => ({ name: `volume-${m.volume}`, mountPath: m.path, ...(m.readOnly ? { readOnly: true } : {}) })),
        ],
        ...probes(svc),
        lifecycle: svc.preStopSleepSeconds > 0 ? { preStop: { sleep: { seconds: svc.preStopSleepSeconds } } } : undefined,
      },
    ],
    volumes: [
      ...writable.map((v) => ({ name: v.name, emptyDir: { sizeLimit: svc.writableSize } })),
      // One pod volume per claim, even where the service mounts it at two paths.
      ...[...new Set(svc.mounts.map((m) => m.volume))].map((volume) => ({ name: `volume-${volume}`, persistentVolumeClaim: { claimName: volume } })),
    ],
  };
}

/** The container as both the Deployment and the migration Job run it. */
function container(ctx: StackContext, svc: ServiceConfig, image: Image, name: string, service: string): Container {
  const ports = [
    ...(svc.port === undefined ? [] : [{ name: "http", containerPort: svc.port, protocol: "TCP" }]),
    ...(svc.metrics.enabled && svc.metrics.port !== undefined && svc.metrics.port !== svc.port
      ? [{ name: "metrics", containerPort: svc.metrics.port, protocol: "TCP" }]
      : []),
  ];
  return {
    name,
    image: imageReference(image),
    imagePullPolicy: "IfNotPresent",
    ...(svc.command ? { command: svc.command } : {}),
    ...(svc.args ? { args: svc.args } : {}),
    ...(ports.length ? { ports } : {}),
    // Data services' settings first: the service's own env may refer to them as $(DATABASE_URL).
    env: [
      ...svc.uses.flatMap((use) => ctx.bindings[use]?.env ?? []),
      ...tracingEnv(ctx, svc, service),
      ...Object.entries(svc.env).map(([variable, value]) =>
        typeof value === "string"
          ? { name: variable, value }
          : { name: variable, valueFrom: { secretKeyRef: "secret" in value ? { name: APP_SECRETS, key: value.secret } : value.secretKeyRef } },
      ),
    ],
    resources: containerResources(svc.resources),
    securityContext: RESTRICTED_CONTAINER,
  };
}

/** OpenTelemetry settings (MON-14), unless the service sets its own. */
function tracingEnv(ctx: StackContext, svc: ServiceConfig, service: string): k8s.types.input.core.v1.EnvVar[] {
  if (!ctx.otlpEndpoint) return [];
  const env = [
    { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: ctx.otlpEndpoint },
    { name: "OTEL_SERVICE_NAME", value: service },
    { name: "OTEL_RESOURCE_ATTRIBUTES", value: `deployment.environment=${ctx.environment},service.namespace=${ctx.namespace}` },
  ];
  return env.filter((e) => !(e.name in svc.env));
}

function probes(svc: ServiceConfig): Pick<Container, "readinessProbe" | "livenessProbe" | "startupProbe"> {
  const p = svc.probes;
  const timing = { periodSeconds: p.periodSeconds, timeoutSeconds: p.timeoutSeconds, failureThreshold: p.failureThreshold };
  const handler = (path: string, command?: string[]) =>
    command ? { exec: { command } } : { httpGet: { path, port: "http" } };
  const liveness = handler(p.livenessPath, p.livenessCommand);
  return {
    readinessProbe: { ...handler(p.readinessPath, p.readinessCommand), ...timing },
    livenessProbe: { ...liveness, ...timing },
    startupProbe: { ...liveness, periodSeconds: 5, timeoutSeconds: p.timeoutSeconds, failureThreshold: p.startupFailureThreshold },
  };
}

function autoscaler(svc: ServiceConfig, target: string, meta: Meta): k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler {
  const a = svc.autoscaling!;
  const utilization = (resource: string, averageUtilization: number) => ({
    type: "Resource",
    resource: { name: resource, target: { type: "Utilization", averageUtilization } },
  });
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta(target),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [utilization("cpu", a.cpuUtilization), utilization("memory", a.memoryUtilization)],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: a.scaleUpPods, periodSeconds: a.scaleUpPeriodSeconds }] },
        scaleDown: { stabilizationWindowSeconds: a.scaleDownStabilizationSeconds },
      },
    },
  };
}

/** The migration Job of one release image: its name changes only with the image and command, so it runs once per release. */
function migrationJob(
  ctx: StackContext,
  name: string,
  svc: ServiceConfig,
  image: Image,
  meta: Meta,
): { name: string; job: k8s.types.input.batch.v1.Job } {
  const m = svc.migrations!;
  const jobName = `${name}-migrate-${shortHash(imageIdentity(image), ...m.command, ...(m.args ?? []))}`;
  // The migration's pods share the service's name labels, so its NetworkPolicy (database access) applies,
  // but not its component label, so no Service ever sends them traffic.
  const labels = recommendedLabels(name, ctx.environment, "migration");
  // Database migrations (REL-5) need none of the service's volumes.
  const spec = podSpec(ctx, name, { ...svc, port: undefined, preStopSleepSeconds: 0, mounts: [] }, image, labels, "migrate");
  const [main] = spec.containers as Container[];
  const job: k8s.types.input.batch.v1.Job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(jobName, { "app.kubernetes.io/component": "migration", "app.kubernetes.io/version": versionLabel(image) }),
    spec: {
      backoffLimit: m.backoffLimit,
      activeDeadlineSeconds: m.activeDeadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          ...spec,
          topologySpreadConstraints: undefined,
          restartPolicy: "Never",
          containers: [
            {
              ...main,
              command: m.command,
              args: m.args,
              readinessProbe: undefined,
              livenessProbe: undefined,
              startupProbe: undefined,
              lifecycle: undefined,
            },
          ],
        },
      },
    },
  };
  return { name: jobName, job };
}

function services(
  name: string,
  svc: ServiceConfig,
  plan: ColourEntry[],
  podSelector: (color?: Color) => Record<string, string>,
  meta: Meta,
): k8s.types.input.core.v1.Service[] {
  const ports = [{ name: "http", port: svc.port!, targetPort: "http", protocol: "TCP" }];
  if (svc.metrics.enabled && svc.metrics.port !== undefined && svc.metrics.port !== svc.port) {
    ports.push({ name: "metrics", port: svc.metrics.port, targetPort: "metrics", protocol: "TCP" });
  }
  const service = (serviceName: string, color?: Color): k8s.types.input.core.v1.Service => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(serviceName, color ? { [COLOR_LABEL]: color } : {}),
    spec: { type: "ClusterIP", selector: podSelector(color), ports },
  });
  const active = plan.find((entry) => entry.active)!;
  const standby = plan.find((entry) => !entry.active);
  return [service(name, active.color), ...(standby ? [service(`${name}-preview`, standby.color)] : [])];
}

function networkPolicy(ctx: StackContext, name: string, svc: ServiceConfig, meta: Meta): k8s.types.input.networking.v1.NetworkPolicy {
  const callers = Object.entries(ctx.services)
    .filter(([, other]) => other.connectsTo.includes(name))
    .map(([caller]) => selectorLabels(caller, ctx.environment));
  if (ctx.edge?.routes.includes(name)) callers.push(ctx.edge.selector);
  const metricsPort = svc.metrics.port ?? svc.port;
  return podPolicy(meta(name), selectorLabels(name, ctx.environment), {
    ingress: [
      ...(svc.port !== undefined ? clientsRule(callers, svc.port) : []),
      ...(svc.metrics.enabled && metricsPort !== undefined ? [scrapeRule(ctx.monitoringNamespace, metricsPort)] : []),
    ],
    egress: [
      ...svc.connectsTo.map((target) => ({
        to: [{ podSelector: { matchLabels: selectorLabels(target, ctx.environment) } }],
        ports: tcpPorts(ctx.services[target].port!),
      })),
      ...svc.uses.flatMap((use) => {
        const binding = ctx.bindings[use];
        return binding ? [{ to: [{ podSelector: { matchLabels: binding.podSelector } }], ports: tcpPorts(binding.port) }] : [];
      }),
      ...svc.egress.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: tcpPorts(...rule.ports) })),
      ...(ctx.otlpEndpoint
        ? [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ctx.monitoringNamespace } } }], ports: tcpPorts(OTLP_GRPC_PORT, OTLP_HTTP_PORT) }]
        : []),
    ],
  });
}
