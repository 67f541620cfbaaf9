/**
 * The runbooks' pre-deployment checklist (REL-8) and capacity plan (CAP-4) as stack policies, each
 * named after its item: backup configured and verified, a backup before the release, rollback
 * ready, monitoring alerts active, alert receivers configured, capacity plan respected (and its
 * 80 % warning line).
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { parse } from "yaml";
import { CAP4_PLAN, CAPACITY_PLAN_ANNOTATION, SECRET_PLACEHOLDER } from "./contract";
import { autoscalers, restingReplicas } from "./availability";
import { COLOR_LABEL, containersOf, describe, kubeObjects, NAME_LABEL, parseQuantity, podLabelsOf, podSpecOf, reportOn, specOf, type KubeObject } from "./lib";

const isCnpg = (object: KubeObject, kind: string) => object.kind === kind && object.apiVersion.startsWith("postgresql.cnpg.io/");

export const backupConfiguredAndVerified: StackValidationPolicy = {
  name: "backup-configured-and-verified",
  description: "Every Postgres cluster archives its WAL, has a scheduled base backup, and a restore-check CronJob proves the backups restore (REL-8, BAK-1, BAK-4).",
  enforcementLevel: "mandatory",
  configSchema: { properties: { restoreCheckCronJob: { type: "string", default: "restore-check", description: "Name of the CronJob that verifies backups by restoring them." } } },
  validateStack: (args, report) => {
    const restoreCheck = args.getConfig<{ restoreCheckCronJob: string }>().restoreCheckCronJob;
    const all = kubeObjects(args);
    for (const { resource, object: cluster } of all.filter(({ object }) => isCnpg(object, "Cluster"))) {
      const spec = specOf(cluster) as { plugins?: { isWALArchiver?: boolean }[]; backup?: { barmanObjectStore?: unknown } };
      const problems = [
        !(spec.plugins ?? []).some((p) => p.isWALArchiver) && !spec.backup?.barmanObjectStore && "no WAL archiving (mcp-platform:backups)",
        !all.some(({ object }) => isCnpg(object, "ScheduledBackup") && (specOf(object).cluster as { name?: string })?.name === cluster.metadata.name) && "no ScheduledBackup",
        !all.some(({ object }) => object.kind === "CronJob" && object.metadata.name === restoreCheck && object.metadata.namespace === cluster.metadata.namespace) &&
          `no ${restoreCheck} CronJob verifying the backups`,
      ].filter((p): p is string => typeof p === "string");
      if (problems.length) reportOn(report, resource, `${describe(cluster)}: ${problems.join("; ")}: configure mcp-platform:backups.`);
    }
  },
};

const BACKUP_TYPE = "kubernetes:postgresql.cnpg.io/v1:Backup";

/** Whether a resource waits for a Backup: directly, or through the Job that waits for it. */
function waitsForBackup(resource: PolicyResource, hops = 2): boolean {
  return resource.dependencies.some((d) => d.type === BACKUP_TYPE || (hops > 1 && d.type === "kubernetes:batch/v1:Job" && waitsForBackup(d, hops - 1)));
}

export const preReleaseBackup: StackValidationPolicy = {
  name: "pre-release-backup",
  description:
    "Every release waits for a base backup taken for it: each migration Job, and each app Deployment that runs, depends on a Backup or on the Job that waits for one (REL-8 'backup created', BAK-6: before every deployment, REL-5).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const all = kubeObjects(args);
    const hpas = autoscalers(all.map(({ object }) => object));
    for (const { resource, object } of all) {
      const component = object.kind === "Job" ? object.metadata.labels?.["app.kubernetes.io/component"] : podLabelsOf(object)["app.kubernetes.io/component"];
      const release =
        (object.kind === "Job" && component === "migration") ||
        (object.kind === "Deployment" && (component === "server" || component === "worker") && restingReplicas(object, hpas) > 0);
      if (!release || waitsForBackup(resource)) continue;
      const what = object.kind === "Job" ? "migrates the database" : "rolls out a release";
      reportOn(report, resource, `${describe(object)} ${what} without a backup first: set mcp-platform:backups.preReleaseBackup: true.`);
    }
  },
};

export const rollbackReady: StackValidationPolicy = {
  name: "rollback-ready",
  description: "Every blue-green service keeps its other colour deployed and a preview Service for it, so rolling back is a switch (REL-3, REL-8).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const all = kubeObjects(args);
    const deployments = all.filter(({ object }) => object.kind === "Deployment" && podLabelsOf(object)[COLOR_LABEL]);
    for (const { resource, object } of deployments) {
      const service = podLabelsOf(object)[NAME_LABEL];
      const colours = new Set(deployments.filter(({ object: o }) => podLabelsOf(o)[NAME_LABEL] === service).map(({ object: o }) => podLabelsOf(o)[COLOR_LABEL]));
      const preview = all.some(({ object: o }) => o.kind === "Service" && o.metadata.name === `${service}-preview`);
      if (colours.size < 2) reportOn(report, resource, `blue-green service ${service} has only its ${[...colours].join("")} colour: keep the other deployed (blueGreen.standbyScale) to roll back.`);
      else if (!preview) reportOn(report, resource, `blue-green service ${service} has no ${service}-preview Service for the standby colour.`);
    }
  },
};

/** Alerts the runbooks require, and what in the stack makes each one needed. */
const REQUIRED_ALERTS: { alerts: string[]; when: string; needed: (objects: KubeObject[]) => boolean }[] = [
  { alerts: ["AppErrorRate", "AppLatencyP95", "ContainerMemory", "ContainerCPU", "PodRestarting", "MetricsTargetDown"], when: "always", needed: () => true },
  { alerts: ["VolumeUsage"], when: "a volume", needed: (o) => o.some((x) => x.kind === "StatefulSet" || isCnpg(x, "Cluster")) },
  { alerts: ["CapacityQuota"], when: "a ResourceQuota", needed: (o) => o.some((x) => x.kind === "ResourceQuota") },
  { alerts: ["PostgresConnections", "PostgresQueryTime"], when: "Postgres", needed: (o) => o.some((x) => isCnpg(x, "Cluster")) },
  {
    alerts: ["BackupStale", "BackupFailed", "BackupMetricsAbsent", "WALArchivingFailing", "WALArchivingBehind"],
    when: "a ScheduledBackup",
    needed: (o) => o.some((x) => isCnpg(x, "ScheduledBackup")),
  },
  {
    alerts: ["PostgresReplicaMissing", "PostgresReplicationLag"],
    when: "a Postgres cluster with replicas",
    needed: (o) => o.some((x) => isCnpg(x, "Cluster") && ((specOf(x).instances as number | undefined) ?? 1) > 1),
  },
  { alerts: ["PreReleaseBackupFailed"], when: "a pre-release backup", needed: (o) => o.some((x) => isCnpg(x, "Backup")) },
  { alerts: ["RestoreDrillFailed", "RestoreDrillStale"], when: "the restore-drill CronJob", needed: (o) => o.some((x) => x.kind === "CronJob" && x.metadata.name === "restore-drill") },
  { alerts: ["AppColorErrorRate", "AppColorLatencyP95"], when: "a blue-green service", needed: (o) => o.some((x) => x.kind === "Deployment" && !!podLabelsOf(x)[COLOR_LABEL]) },
  { alerts: ["RestoreCheckStale", "RestoreCheckFailed"], when: "the restore-check CronJob", needed: (o) => o.some((x) => x.kind === "CronJob" && x.metadata.name === "restore-check") },
  { alerts: ["CacheHitRateLow"], when: "the Redis cache", needed: (o) => o.some((x) => x.kind === "StatefulSet" && x.metadata.name === "redis-cache") },
  { alerts: ["QueueBacklog", "QueueFailedJobs"], when: "the Redis queue", needed: (o) => o.some((x) => x.kind === "StatefulSet" && x.metadata.name === "redis-queue") },
  { alerts: ["UptimeProbeFailed"], when: "a public edge", needed: (o) => o.some((x) => x.kind === "Service" && specOf(x).type === "LoadBalancer") },
  { alerts: ["CertificateExpiry"], when: "a certificate", needed: (o) => o.some((x) => x.kind === "Certificate") },
];

export const monitoringAlertsActive: StackValidationPolicy = {
  name: "monitoring-alerts-active",
  description: "A Prometheus alert exists for each runbook threshold that applies to what the stack runs (REL-8 'monitoring alerts active').",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const all = kubeObjects(args);
    const objects = all.map(({ object }) => object);
    const rules = all.filter(({ object }) => object.kind === "PrometheusRule");
    const present = new Set(
      rules.flatMap(({ object }) => ((specOf(object).groups as { rules?: { alert?: string }[] }[]) ?? []).flatMap((g) => (g.rules ?? []).map((r) => r.alert ?? ""))),
    );
    const missing = REQUIRED_ALERTS.filter((r) => r.needed(objects)).flatMap((r) => r.alerts.filter((a) => !present.has(a)).map((a) => `${a} (for ${r.when})`));
    if (missing.length) {
      const where = rules[0]?.resource ?? all[0]?.resource;
      const message = `alerts missing: ${missing.join(", ")}: the monitoring component renders them (mcp-platform:monitoring).`;
      if (where) reportOn(report, where, message);
      else report(message);
    }
  },
};

export const alertReceiversConfigured: StackValidationPolicy = {
  name: "alert-receivers-configured",
  description: "Alertmanager routes alerts to at least one real receiver (PagerDuty, Slack, e-mail, webhook), and its keys come from a Secret (REL-8, MON-15).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const releases = args.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.props.chart === "kube-prometheus-stack");
    const all = kubeObjects(args);
    for (const release of releases) {
      const spec = ((release.props.values as Record<string, { alertmanagerSpec?: { configSecret?: string; secrets?: string[] } }>)?.alertmanager ?? {}).alertmanagerSpec ?? {};
      const secret = all.find(({ object }) => object.kind === "Secret" && object.metadata.name === spec.configSecret);
      if (!spec.configSecret || !secret) {
        reportOn(report, release, `Alertmanager has no configuration Secret of this stack (alertmanager.alertmanagerSpec.configSecret): set mcp-platform:monitoring.alerting.`);
        continue;
      }
      if (!(spec.secrets ?? []).length) reportOn(report, release, "Alertmanager mounts no Secret with the receivers' keys (alertmanagerSpec.secrets): set monitoring.alerting.receiversSecret.");
      const text = (secret.object.stringData as Record<string, string> | undefined)?.["alertmanager.yaml"];
      // A plan file never holds secret values: there only the Secret's presence can be checked.
      if (text === undefined || text === SECRET_PLACEHOLDER || (secret.object.stringData as unknown) === SECRET_PLACEHOLDER) continue;
      const config = parse(text) as { receivers?: Record<string, unknown>[] };
      const real = (config.receivers ?? []).filter((r) => Object.keys(r).some((k) => k.endsWith("_configs")));
      if (!real.length) reportOn(report, secret.resource, `${describe(secret.object)}: no receiver has a PagerDuty, Slack, e-mail or webhook integration: alerts would go nowhere; set mcp-platform:monitoring.alerting.`);
    }
  },
};

/** CPU (cores) and memory (bytes) the stack requests at rest: serving workloads at their resting replicas, Postgres and PgBouncer instances. */
export function restingRequests(objects: KubeObject[]): { cpu: number; memory: number } {
  const hpas = autoscalers(objects);
  let cpu = 0;
  let memory = 0;
  const add = (replicas: number, requests: Record<string, string> | undefined) => {
    cpu += replicas * (parseQuantity(String(requests?.cpu ?? "0")) ?? 0);
    memory += replicas * (parseQuantity(String(requests?.memory ?? "0")) ?? 0);
  };
  for (const object of objects) {
    if (object.kind === "Deployment" || object.kind === "StatefulSet") {
      const pod = podSpecOf(object);
      for (const { container, init } of pod ? containersOf(pod) : []) if (!init || container.restartPolicy === "Always") add(restingReplicas(object, hpas), container.resources?.requests);
    } else if (isCnpg(object, "Cluster")) {
      const spec = specOf(object) as { instances?: number; resources?: { requests?: Record<string, string> } };
      add(spec.instances ?? 1, spec.resources?.requests);
    } else if (isCnpg(object, "Pooler")) {
      const spec = specOf(object) as { instances?: number; template?: { spec?: { containers?: { resources?: { requests?: Record<string, string> } }[] } } };
      for (const container of spec.template?.spec?.containers ?? []) add(spec.instances ?? 1, container.resources?.requests);
    }
  }
  return { cpu, memory };
}

const GIB = 2 ** 30;
const round = (n: number) => Math.round(n * 100) / 100;

const capacitySchema = {
  properties: {
    tenants: { type: "integer", minimum: 0, description: "Active tenants every stack of the environment is planned for; unset: only stacks that declare mcp-platform:capacity are checked." },
    baseCpu: { type: "string", default: CAP4_PLAN.base.cpu, description: "CPU of the plan without tenants." },
    perTenantCpu: { type: "string", default: CAP4_PLAN.perTenant.cpu, description: "CPU per tenant." },
    baseMemory: { type: "string", default: CAP4_PLAN.base.memory, description: "Memory of the plan without tenants." },
    perTenantMemory: { type: "string", default: CAP4_PLAN.perTenant.memory, description: "Memory per tenant." },
    baseDatabase: { type: "string", default: CAP4_PLAN.base.database, description: "Database storage of the plan without tenants." },
    perTenantDatabase: { type: "string", default: CAP4_PLAN.perTenant.database, description: "Database storage per tenant." },
    share: { type: "number", minimum: 0, maximum: 1, description: "Report when the planned tenants use more than this share of the tenants the stack's requests can carry (0.9 critical, 0.8 warning)." },
  },
} as const;

interface CapacityConfig {
  tenants?: number;
  baseCpu: string;
  perTenantCpu: string;
  baseMemory: string;
  perTenantMemory: string;
  baseDatabase: string;
  perTenantDatabase: string;
  /** Storage the backups may take (mcp-platform:capacity.backupStorage); none for an unbounded bucket. */
  backupStorage?: string;
  share: number;
}

const PLAN_KEYS = ["baseCpu", "perTenantCpu", "baseMemory", "perTenantMemory", "baseDatabase", "perTenantDatabase"] as const;
/** CAP-4: backup storage is three times the database. */
const BACKUP_FACTOR = 3;

/**
 * The plan a stack declares (mcp-platform:capacity), from its Namespace's annotation: undefined
 * when it declares none, an error text when the annotation is not a plan.
 */
export function declaredCapacityPlan(objects: KubeObject[]): Omit<CapacityConfig, "share"> | string | undefined {
  const namespace = objects.find((o) => o.kind === "Namespace" && o.metadata.annotations?.[CAPACITY_PLAN_ANNOTATION] !== undefined);
  if (!namespace) return undefined;
  const text = namespace.metadata.annotations![CAPACITY_PLAN_ANNOTATION];
  let plan: Record<string, unknown>;
  try {
    plan = JSON.parse(text) as Record<string, unknown>;
  } catch {
    plan = {};
  }
  const quantity = (key: string) => typeof plan[key] === "string" && parseQuantity(plan[key] as string) !== undefined;
  const valid = Number.isInteger(plan.tenants) && (plan.tenants as number) >= 0 && PLAN_KEYS.every(quantity) && (plan.backupStorage === undefined || quantity("backupStorage"));
  if (!valid) return `${describe(namespace)}: annotation ${CAPACITY_PLAN_ANNOTATION} is not a capacity plan (tenants, ${PLAN_KEYS.join(", ")}, backupStorage?): ${text}; set mcp-platform:capacity`;
  return {
    tenants: plan.tenants as number,
    ...(Object.fromEntries(PLAN_KEYS.map((key) => [key, plan[key]])) as Record<(typeof PLAN_KEYS)[number], string>),
    ...(plan.backupStorage !== undefined ? { backupStorage: plan.backupStorage as string } : {}),
  };
}

/** The storage of the database: each Postgres cluster's data volume holds the whole database. */
function databaseStorage(objects: KubeObject[]): number | undefined {
  const sizes = objects.filter((o) => isCnpg(o, "Cluster")).map((o) => parseQuantity(String((specOf(o).storage as { size?: string } | undefined)?.size ?? "0")) ?? 0);
  return sizes.length ? Math.min(...sizes) : undefined;
}

export interface CapacityLine {
  what: string;
  unit: string;
  /** What the stack provides: requests at rest, the database volume, the backup budget. */
  provided: number;
  base: number;
  perTenant: number;
}

/**
 * Tenants the provided amount carries by the plan (CAP-4: base + per tenant), and the share of that
 * the planned tenants use. Provided below the base carries none: any tenant is past every line.
 */
export function tenantUse(line: CapacityLine, tenants: number): { capacity: number; share: number } {
  const capacity = line.perTenant > 0 ? Math.max(0, (line.provided - line.base) / line.perTenant) : line.provided >= line.base ? Infinity : 0;
  const share = tenants === 0 ? (line.provided >= line.base ? 0 : Infinity) : capacity === 0 ? Infinity : tenants / capacity;
  return { capacity, share };
}

/**
 * A capacity-plan policy (CAP-4): for CPU and memory requests at rest, the database volume and,
 * where declared, the backup storage (3x the database), the tenants the stack's provisioning can
 * carry by the plan; it reports when the planned tenants use more than `share` of them (90 %
 * critical, 80 % warning). Over-provisioning is fine; under-provisioning is not. The plan is the one
 * the stack declares (mcp-platform:capacity, its tenants counted) or else this policy's config.
 */
function capacityPolicy(name: string, description: string, enforcementLevel: "mandatory" | "advisory", share: number, advice: string): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel,
    configSchema: { properties: { ...capacitySchema.properties, share: { ...capacitySchema.properties.share, default: share } } },
    validateStack: (args, report) => {
      const all = kubeObjects(args);
      const objects = all.map(({ object }) => object);
      const where = all.find(({ object }) => object.kind === "ResourceQuota" || object.kind === "Namespace")?.resource.urn;
      const declared = declaredCapacityPlan(objects);
      if (typeof declared === "string") {
        report(declared, where);
        return;
      }
      const c: CapacityConfig = { ...args.getConfig<CapacityConfig>(), ...declared };
      // A stack without tenants to plan for (no mcp-platform:capacity, no tenants in the policy config) has no plan to carry.
      const tenants = c.tenants;
      if (tenants === undefined) return;
      const q = (value: string) => parseQuantity(value)!;
      const planned = declared ? "mcp-platform:capacity" : "tenants in this policy's config";
      const used = restingRequests(objects);
      const database = databaseStorage(objects);
      const lines: CapacityLine[] = [
        { what: "CPU requests at rest", unit: "", provided: used.cpu, base: q(c.baseCpu), perTenant: q(c.perTenantCpu) },
        { what: "memory requests at rest", unit: "Gi", provided: used.memory / GIB, base: q(c.baseMemory) / GIB, perTenant: q(c.perTenantMemory) / GIB },
        ...(database !== undefined ? [{ what: "the database volume", unit: "Gi", provided: database / GIB, base: q(c.baseDatabase) / GIB, perTenant: q(c.perTenantDatabase) / GIB }] : []),
        ...(c.backupStorage !== undefined
          ? [{ what: "the backup storage", unit: "Gi", provided: q(c.backupStorage) / GIB, base: (BACKUP_FACTOR * q(c.baseDatabase)) / GIB, perTenant: (BACKUP_FACTOR * q(c.perTenantDatabase)) / GIB }]
          : []),
      ];
      for (const line of lines) {
        const { capacity, share: use } = tenantUse(line, tenants);
        if (use <= c.share) continue;
        // What carries the planned tenants with the policy's share left as headroom.
        const needed = line.base + (tenants * line.perTenant) / c.share;
        const carried = Number.isFinite(capacity) ? `carry ${Math.floor(capacity)} tenants` : "carry no tenant";
        report(
          `${line.what} (${round(line.provided)}${line.unit}) ${carried} by the plan (${round(line.base)}${line.unit} + ${round(line.perTenant)}${line.unit} per tenant); ${tenants} tenants are planned (${planned}), past the ${Math.round(c.share * 100)} % line: ${advice.replace("{needed}", `${round(needed)}${line.unit}`)}`,
          where,
        );
      }
    },
  };
}

export const capacityPlan = capacityPolicy(
  "capacity-plan",
  "The stack can carry its tenants (CAP-4): CPU and memory requests at rest, the database volume and the declared backup storage (3x the database) each carry the planned tenants by the plan (CPU 2 cores + 0.1, memory 4 GiB + 256 MiB, database 20 GiB + 1 GiB per tenant) with the tenants using at most 90 % of what they carry (critical).",
  "mandatory",
  0.9,
  "raise it to at least {needed} (requests, replicas, volume size) or plan fewer tenants.",
);

export const capacityPlanWarning = capacityPolicy(
  "capacity-plan-warning",
  "The planned tenants use more than 80 % of what the stack's provisioning carries (CAP-4's warning line): plan the next step.",
  "advisory",
  0.8,
  "past the warning line; plan {needed} before the next tenants arrive.",
);

export const checklistPolicies = [backupConfiguredAndVerified, preReleaseBackup, rollbackReady, monitoringAlertsActive, alertReceiversConfigured, capacityPlan, capacityPlanWarning];
