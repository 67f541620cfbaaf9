/**
 * Values the platform refuses later (the API server, etcd, CloudNativePG, Prometheus, PostgreSQL,
 * Redis), each a change of a copy of a stack file, with the key the validation must name. Every
 * expectation is the upstream rule, not the program's constant: the source is in `field`.
 * Used by test/config/server-cases.test.ts (the validation, offline) and test/cluster/config-vs-server.test.ts
 * (the rows of the staging stack against a real API server).
 */
import type { K8sObject, StackValues } from "../harness";

/** A stack-file change: a value set at a key path (under config:), or a function for renames. */
export interface Row {
  /** The key path as the validation names it, e.g. mcp-platform:services.worker.port. */
  key: string;
  value: unknown;
  /** What the server (or operator, or tool) checks there, and where that rule comes from. */
  field: string;
  change?: (values: StackValues) => void;
  /** The stack file the change applies to (default staging). */
  stack?: "staging" | "production";
  /** The server's own refusal of the value, for a row that was a known gap of test/cluster/config-vs-server.test.ts. */
  server?: ServerRefusal;
}

/**
 * How the API server refuses a value the validation rejects first (so the program never renders
 * it): the plan of the staging stack with `base` made (a valid change) holds `object`; `set` puts
 * the value where the program would; created with dryRun=All, the server answers `refuses` (its
 * words) among its errors and warnings.
 */
export interface ServerRefusal {
  /** "Kind/name" of the object the value lands in. */
  object: string;
  set: (object: K8sObject) => void;
  refuses: RegExp;
  base?: (values: StackValues) => void;
}

export const setAt = (values: Record<string, unknown>, key: string, value: unknown) => {
  const parts = key.split(".");
  let node = values;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
};

/** A row's change to a stack's values: its own, or its value set at its key path. */
export const changeOf = (row: Row) => row.change ?? ((values: StackValues) => setAt(values, row.key, row.value));

/** The worker service under another name (nothing else in staging refers to it). */
export const renameWorker = (name: string) => (values: StackValues) => {
  values["mcp-platform:services"][name] = values["mcp-platform:services"].worker;
  delete values["mcp-platform:services"].worker;
};

/** A volume of that name, backed up (its CronJob is volume-backup-<name>). */
export const backedUpVolume = (name: string) => (values: StackValues) => {
  values["mcp-platform:volumes"] = { [name]: { size: "5Gi", storageClass: "efs-sc" } };
  setAt(values, "mcp-platform:backups.volumes", [{ claim: name }]);
};

const long = (n: number) => `a${"b".repeat(n - 1)}`;
/** 2^31: one above Kubernetes' int32 maximum. */
const INT32_OVERFLOW = 2 ** 31;
const set = (key: string, value: unknown) => (values: StackValues) => setAt(values, key, value);
/** A volume the program renders as PersistentVolumeClaim/uploads. */
const UPLOADS = { uploads: { size: "5Gi", storageClass: "efs-sc" } };
/** The first container of a workload's pod template. */
const app = (o: K8sObject) => o.spec.template.spec.containers[0];
const both = (...changes: ((values: StackValues) => void)[]) => (values: StackValues) => changes.forEach((change) => change(values));

export const REJECTED: Row[] = [
  // Names and lengths (DNS-1123: labels 63, subdomains 253).
  { key: "mcp-platform:services.api.port", value: 70000, field: "container and Service ports (1-65535)" },
  { key: "mcp-platform:services.worker.metrics.port", value: 0, field: "container ports (1-65535)" },
  { key: "mcp-platform:namespace", value: long(64), field: "namespace names (DNS label, 63 characters)" },
  { key: "mcp-platform:namespace", value: "MCP_Staging", field: "namespace names (DNS label)" },
  { key: `mcp-platform:services.${long(41)}`, value: "(the worker renamed)", field: "Deployment, Service and label names derived from the service's", change: renameWorker(long(41)) },
  { key: "mcp-platform:services.Worker_2", value: "(the worker renamed)", field: "object names (DNS label)", change: renameWorker("Worker_2") },
  { key: `mcp-platform:volumes.${long(39)}`, value: "(a backed-up volume)", field: "CronJob names (52 characters: volume-backup-<claim>)", change: backedUpVolume(long(39)) },
  { key: "mcp-platform:monitoring.namespace", value: long(64), field: "namespace names (DNS label, 63 characters)" },
  { key: "mcp-platform:edge.hostname", value: "mcp_staging.example.com", field: "host names" },
  { key: "mcp-platform:edge.hostname", value: `${long(64)}.example.com`, field: "host names (DNS labels of at most 63 characters)" },
  { key: "mcp-platform:edge.hostname", value: `${Array.from({ length: 26 }, () => long(9)).join(".")}.example.com`, field: "host names (at most 253 characters)" },
  {
    key: "mcp-platform:redis.queue.storage.storageClass",
    value: "Fast_SSD",
    field: "StorageClass names (DNS subdomain)",
    server: { object: "StatefulSet/redis-queue", set: (o) => void (o.spec.volumeClaimTemplates[0].spec.storageClassName = "Fast_SSD"), refuses: /storageClassName: Invalid value: "Fast_SSD"/ },
  },
  {
    key: "mcp-platform:volumes.uploads.storageClass",
    value: "Efs_Sc",
    field: "StorageClass names (DNS subdomain)",
    change: set("mcp-platform:volumes", { uploads: { size: "5Gi", storageClass: "Efs_Sc" } }),
    server: { base: set("mcp-platform:volumes", UPLOADS), object: "PersistentVolumeClaim/uploads", set: (o) => void (o.spec.storageClassName = "Efs_Sc"), refuses: /storageClassName: Invalid value: "Efs_Sc"/ },
  },
  {
    key: "mcp-platform:services.api.env.EXTERNAL.secretKeyRef.key",
    value: "bad key",
    field: "Secret key names ([-._a-zA-Z0-9]+)",
    change: set("mcp-platform:services.api.env.EXTERNAL", { secretKeyRef: { name: "external", key: "bad key" } }),
    server: {
      object: "Deployment/api-blue",
      set: (o) => app(o).env.push({ name: "EXTERNAL", valueFrom: { secretKeyRef: { name: "external", key: "bad key" } } }),
      refuses: /secretKeyRef\.key: Invalid value: "bad key": a valid config key must consist of alphanumeric characters/,
    },
  },
  // S3 bucket naming rules (AWS).
  { key: "mcp-platform:backups.bucket", value: "my..backups", field: "S3 bucket names: no two adjacent periods" },
  { key: "mcp-platform:backups.bucket", value: "192.168.10.20", field: "S3 bucket names: not an IP address" },
  { key: "mcp-platform:backups.bucket", value: "xn--backups", field: "S3 bucket names: reserved prefix xn--" },
  { key: "mcp-platform:backups.bucket", value: "backups-s3alias", field: "S3 bucket names: reserved suffix -s3alias" },
  { key: "mcp-platform:backups.bucket", value: "backups.-x", field: "S3 bucket names: no '.-'" },
  // Image references (distribution/reference).
  { key: "mcp-platform:services.worker.image.repository", value: "ghcr.io/example/mcp-server:1.4.2", field: "image names: a tag is not part of the repository" },
  { key: "mcp-platform:services.worker.image.repository", value: "ghcr.io/Example/mcp", field: "image path components are lowercase" },
  { key: "mcp-platform:services.worker.image.repository", value: `ghcr.io/${"a".repeat(250)}`, field: "image names of at most 255 characters" },
  { key: "mcp-platform:services.worker.image.repository", value: "ghcr.io//mcp", field: "image path components are not empty" },
  // Quantities.
  { key: "mcp-platform:services.worker.resources.requests.cpu", value: "2 cores", field: "resource quantities" },
  { key: "mcp-platform:services.worker.resources.limits.memory", value: "1GB", field: "resource quantities" },
  {
    key: "mcp-platform:services.worker.resources.requests.memory",
    value: "0.5",
    field: "whole bytes of memory (the server warns of a fractional byte value)",
    server: { object: "Deployment/worker", set: (o) => void (app(o).resources.requests.memory = "0.5"), refuses: /fractional byte value "500m" is invalid, must be an integer/ },
  },
  { key: "mcp-platform:redis.queue.storage.size", value: "-1Gi", field: "storage quantities" },
  {
    key: "mcp-platform:redis.queue.storage.size",
    value: "0",
    field: "storage requests above zero",
    server: { object: "StatefulSet/redis-queue", set: (o) => void (o.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "0"), refuses: /must be greater than zero/ },
  },
  { key: "mcp-platform:postgres.storage.size", value: "0Gi", field: "storage requests above zero" },
  {
    key: "mcp-platform:volumes.uploads.size",
    value: "0",
    field: "storage requests above zero",
    change: set("mcp-platform:volumes", { uploads: { size: "0", storageClass: "efs-sc" } }),
    server: { base: set("mcp-platform:volumes", UPLOADS), object: "PersistentVolumeClaim/uploads", set: (o) => void (o.spec.resources.requests.storage = "0"), refuses: /must be greater than zero/ },
  },
  { key: "mcp-platform:monitoring.stack.storage", value: "0", field: "storage requests above zero (Prometheus's volume)" },
  // Requests above limits, for every container (the API server: "must be less than or equal to ... limit").
  { key: "mcp-platform:postgres.resources.requests.memory", value: "2Gi", field: "requests <= limits (Postgres)" },
  { key: "mcp-platform:redis.cache.resources.requests.cpu", value: "2", field: "requests <= limits (Redis cache, limit 1)" },
  { key: "mcp-platform:edge.resources.requests.memory", value: "1Gi", field: "requests <= limits (edge, limit 256Mi)" },
  { key: "mcp-platform:backups.jobs.resources.requests.cpu", value: "3", field: "requests <= limits (backup jobs, limit 2)" },
  { key: "mcp-platform:monitoring.stack.resources.requests.memory", value: "8Gi", field: "requests <= limits (Prometheus, limit 4Gi)" },
  // LimitRange (the API server: default <= max, defaultRequest <= default).
  { key: "mcp-platform:containerLimits.default.cpu", value: "8", field: "LimitRange default above its max (4)" },
  { key: "mcp-platform:containerLimits.defaultRequest.memory", value: "2Gi", field: "LimitRange defaultRequest above its default (1Gi)" },
  // Cron schedules (robfig/cron ParseStandard, as Kubernetes parses them).
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "0 3 * *", field: "CronJob schedules: five fields" },
  {
    key: "mcp-platform:backups.jobs.logicalSchedule",
    value: "61 3 * * *",
    field: "cron minute 0-59",
    server: { object: "CronJob/logical-backup", set: (o) => void (o.spec.schedule = "61 3 * * *"), refuses: /spec\.schedule: Invalid value: "61 3 \* \* \*": end of range \(61\) above maximum \(59\)/ },
  },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "0 24 * * *", field: "cron hour 0-23", server: { object: "CronJob/logical-backup", set: (o) => void (o.spec.schedule = "0 24 * * *"), refuses: /end of range \(24\) above maximum \(23\)/ } },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "0 3 0 * *", field: "cron day of month 1-31" },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "0 3 * 13 *", field: "cron month 1-12" },
  { key: "mcp-platform:backups.jobs.restoreCheckSchedule", value: "0 5 * * 8", field: "cron weekday 0-6", server: { object: "CronJob/restore-check", set: (o) => void (o.spec.schedule = "0 5 * * 8"), refuses: /end of range \(8\) above maximum \(6\)/ } },
  { key: "mcp-platform:backups.jobs.restoreCheckSchedule", value: "0 5 * * 7", field: "cron weekday 0-6 (robfig has no 7)" },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "0 3 * * daily", field: "cron: words other than month and weekday names" },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "*/0 3 * * *", field: "cron step of 0" },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "30-10 3 * * *", field: "cron range that begins after it ends" },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "0 3 1,,2 * *", field: "cron empty list item" },
  { key: "mcp-platform:backups.drill.schedule", value: "@weekly", field: "CronJob schedules: five fields (descriptors not used by the stack)" },
  // int32 fields (the server: "must be between 0 and 2147483647"; larger values wrap).
  {
    key: "mcp-platform:services.worker.runAsUser",
    value: 3000000000,
    field: "user ids (int32)",
    server: { object: "Deployment/worker", set: (o) => void (o.spec.template.spec.securityContext.runAsUser = 3000000000), refuses: /must be between 0 and 2147483647, inclusive/ },
  },
  {
    key: "mcp-platform:services.worker.probes.timeoutSeconds",
    value: 3000000000,
    field: "probe seconds (int32)",
    server: { object: "Deployment/worker", set: (o) => void (app(o).livenessProbe.timeoutSeconds = 3000000000), refuses: /timeoutSeconds: Invalid value: -1294967296/ },
  },
  {
    key: "mcp-platform:services.worker.disruptionMaxUnavailable",
    value: 3000000000,
    field: "PodDisruptionBudget maxUnavailable (int32)",
    server: { object: "PodDisruptionBudget/worker", set: (o) => void (o.spec.maxUnavailable = 3000000000), refuses: /^PodDisruptionBudget mcp-staging\/worker: / },
  },
  { key: "mcp-platform:services.worker.replicas", value: INT32_OVERFLOW, field: "replicas (int32)" },
  { key: "mcp-platform:edge.replicas", value: INT32_OVERFLOW, field: "replicas (int32)" },
  { key: "mcp-platform:quota.pods", value: INT32_OVERFLOW, field: "quota counts" },
  // Rollouts and pod lifecycle.
  {
    key: "mcp-platform:services.worker.maxSurge",
    value: "0%",
    field: "a rollout that can move (maxSurge 0 with maxUnavailable 0)",
    server: { object: "Deployment/worker", set: (o) => void (o.spec.strategy.rollingUpdate.maxSurge = "0%"), refuses: /maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0/ },
  },
  {
    key: "mcp-platform:services.worker.preStopSleepSeconds",
    value: 60,
    field: "preStop sleep below terminationGracePeriodSeconds (30)",
    server: { object: "Deployment/worker", set: (o) => void (app(o).lifecycle.preStop.sleep.seconds = 60), refuses: /preStop\.sleep: Invalid value: 60: must be non-negative and less than terminationGracePeriodSeconds/ },
  },
  { key: "mcp-platform:services.worker.preStopSleepSeconds", value: 30, field: "preStop sleep below terminationGracePeriodSeconds (equal is refused)" },
  {
    key: "mcp-platform:services.worker.preStopSleepSeconds",
    value: "(grace period 3, sleep 5)",
    field: "terminationGracePeriodSeconds above the preStop sleep",
    change: set("mcp-platform:services.worker.terminationGracePeriodSeconds", 3),
    server: { object: "Deployment/worker", set: (o) => void (o.spec.template.spec.terminationGracePeriodSeconds = 3), refuses: /preStop\.sleep: Invalid value: 5: must be non-negative and less than terminationGracePeriodSeconds/ },
  },
  // HPA behaviour (k8s autoscaling validation: periodSeconds <= 1800, stabilizationWindowSeconds <= 3600).
  {
    key: "mcp-platform:services.worker.autoscaling.scaleUpPeriodSeconds",
    value: 1801,
    field: "HPA policy periods (at most 1800 s)",
    change: set("mcp-platform:services.worker.autoscaling", { minReplicas: 1, maxReplicas: 3, scaleUpPeriodSeconds: 1801 }),
    server: {
      base: set("mcp-platform:services.worker.autoscaling", { minReplicas: 1, maxReplicas: 3 }),
      object: "HorizontalPodAutoscaler/worker",
      set: (o) => void (o.spec.behavior.scaleUp.policies[0].periodSeconds = 1801),
      refuses: /scaleUp\.policies\[0\]\.periodSeconds: Invalid value: 1801: must be less than or equal to 1800/,
    },
  },
  {
    key: "mcp-platform:services.worker.autoscaling.scaleDownStabilizationSeconds",
    value: 3601,
    field: "HPA stabilization windows (at most 3600 s)",
    change: set("mcp-platform:services.worker.autoscaling", { minReplicas: 1, maxReplicas: 3, scaleDownStabilizationSeconds: 3601 }),
    server: {
      base: set("mcp-platform:services.worker.autoscaling", { minReplicas: 1, maxReplicas: 3 }),
      object: "HorizontalPodAutoscaler/worker",
      set: (o) => void (o.spec.behavior.scaleDown.stabilizationWindowSeconds = 3601),
      refuses: /stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600/,
    },
  },
  { key: "mcp-platform:services.worker.autoscaling.maxReplicas", value: INT32_OVERFLOW, field: "HPA maxReplicas (int32)", change: set("mcp-platform:services.worker.autoscaling", { minReplicas: 1, maxReplicas: INT32_OVERFLOW }) },
  // Mount paths (the server: "must be unique", "must not contain ':'").
  { key: "mcp-platform:services.worker.writablePaths[1]", value: ["/cache", "/cache"], field: "volumeMounts[].mountPath unique", change: set("mcp-platform:services.worker.writablePaths", ["/cache", "/cache"]) },
  { key: "mcp-platform:services.worker.writablePaths[0]", value: ["/tmp"], field: "volumeMounts[].mountPath unique (/tmp is mounted already)", change: set("mcp-platform:services.worker.writablePaths", ["/tmp"]) },
  { key: "mcp-platform:services.worker.writablePaths[0]", value: ["/data:rw"], field: "mountPath without ':'", change: set("mcp-platform:services.worker.writablePaths", ["/data:rw"]) },
  { key: "mcp-platform:services.worker.writablePaths[0]", value: ["/data/../etc"], field: "mountPath without '..'", change: set("mcp-platform:services.worker.writablePaths", ["/data/../etc"]) },
  // Durations (PostgreSQL: int milliseconds up to INT_MAX; Prometheus: int64 nanoseconds).
  { key: "mcp-platform:postgres.statementTimeout", value: "2147484s", field: "PostgreSQL statement_timeout at most 2147483647 ms" },
  { key: "mcp-platform:postgres.idleInTransactionSessionTimeout", value: "600h", field: "PostgreSQL idle_in_transaction_session_timeout at most 2147483647 ms" },
  { key: "mcp-platform:monitoring.stack.retention", value: "200000d", field: "Prometheus durations within int64 nanoseconds (about 292 years)" },
  { key: "mcp-platform:monitoring.uptime.interval", value: "1.5m", field: "Probe durations (CRD pattern)" },
  // Operator-fixed PostgreSQL parameters (CloudNativePG FixedConfigurationParameters).
  { key: "mcp-platform:postgres.parameters.wal_level", value: "minimal", field: "CloudNativePG fixes wal_level", change: set("mcp-platform:postgres.parameters", { wal_level: "minimal" }) },
  { key: "mcp-platform:postgres.parameters.listen_addresses", value: "*", field: "CloudNativePG blocks listen_addresses", change: set("mcp-platform:postgres.parameters", { listen_addresses: "*" }) },
  { key: "mcp-platform:postgres.parameters.max_connections", value: "500", field: "set by postgres.maxConnections", change: set("mcp-platform:postgres.parameters", { max_connections: "500" }) },
  // Redis maxmemory (redis.conf: 0 is no limit; above the container's limit the kernel kills Redis first).
  { key: "mcp-platform:redis.queue.maxmemory", value: "0mb", field: "Redis maxmemory above 0" },
  { key: "mcp-platform:redis.cache.maxmemory", value: "1gb", field: "Redis maxmemory at most the memory limit (512Mi)" },
  // Generated names that collide.
  { key: "mcp-platform:services.edge", value: "(the worker renamed)", field: "Service/edge and Deployment/edge are the edge's", change: renameWorker("edge") },
  { key: "mcp-platform:services.acme-solver", value: "(the worker renamed)", field: "Service/acme-solver and NetworkPolicy/acme-solver are the edge's", change: renameWorker("acme-solver") },
  { key: "mcp-platform:services.postgres-rw", value: "(the worker renamed)", field: "Service/postgres-rw is CloudNativePG's", change: renameWorker("postgres-rw") },
  { key: "mcp-platform:services.redis-queue", value: "(the worker renamed)", field: "Service/redis-queue is Redis's", change: renameWorker("redis-queue") },
  { key: "mcp-platform:monitoring.namespace", value: "mcp-staging", field: "the monitoring namespace is not the stack's Namespace" },
  // A Deployment over etcd's 1.5 MiB request limit.
  { key: "mcp-platform:services.worker.env", value: "(a 1 MiB value)", field: "etcd --max-request-bytes (1.5 MiB)", change: set("mcp-platform:services.worker.env.BIG", "x".repeat(1024 * 1024)) },
  // Runbook minimums in production.
  { key: "mcp-platform:backups.retention.baseBackupDays", value: 7, field: "BAK-1: 30 days of base backups in production", stack: "production" },
  { key: "mcp-platform:monitoring.thresholds.backupMaxAgeHours", value: 72, field: "BAK-8: backup completion checked daily", stack: "production" },
  { key: "mcp-platform:monitoring.thresholds.restoreCheckMaxAgeHours", value: 49, field: "BAK-8: restore checked daily", stack: "production" },
  { key: "mcp-platform:monitoring.thresholds.restoreDrillMaxAgeHours", value: 193, field: "BAK-8: restore tested weekly", stack: "production" },
  { key: "mcp-platform:edge.isolation.enabled", value: true, field: "maintenance and isolation not both on", change: both(set("mcp-platform:edge.maintenance", { enabled: true }), set("mcp-platform:edge.isolation", { enabled: true, allowedCidrs: ["10.0.0.0/8"] })) },
  // PromQL names (Prometheus data model).
  { key: "mcp-platform:monitoring.metrics.requests", value: 'http_requests_total{x="1"}', field: "Prometheus metric names" },
  { key: "mcp-platform:monitoring.metrics.statusLabel", value: "status code", field: "Prometheus label names" },
  { key: "mcp-platform:monitoring.metrics.errorStatus", value: "5..(?=x)", field: "RE2 has no lookahead" },
];

export const ACCEPTED: Row[] = [
  { key: `mcp-platform:services.${long(40)}`, value: "(the worker renamed)", field: "the longest service name: <name>-preview, -green, -migrate-<hash>, label values", change: renameWorker(long(40)) },
  { key: "mcp-platform:namespace", value: long(63), field: "the longest namespace" },
  { key: `mcp-platform:volumes.${long(38)}`, value: "(a backed-up volume)", field: "the longest claim: CronJob volume-backup-<claim> of 52 characters", change: backedUpVolume(long(38)) },
  { key: "mcp-platform:services.api.port", value: 65535, field: "the highest port" },
  { key: "mcp-platform:services.worker.resources.requests.memory", value: "0.5Gi", field: "a fractional quantity of whole bytes" },
  { key: "mcp-platform:services.worker.resources.requests.cpu", value: "750m", field: "millicores" },
  { key: "mcp-platform:services.worker.maxSurge", value: "250%", field: "a surge above 100 %" },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "*/15 2-4 * * 1-5", field: "steps and ranges in a schedule" },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "59 23 31 12 6", field: "every field at its maximum" },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "0 0 1 JAN-dec sun,SAT", field: "month and weekday names, any case" },
  { key: "mcp-platform:backups.jobs.logicalSchedule", value: "5/10 ? * * *", field: "a/step (a to the maximum) and ?" },
  { key: "mcp-platform:monitoring.uptime.interval", value: "90s", field: "a Probe interval" },
  { key: "mcp-platform:edge.hostname", value: `${long(63)}.example.com`, field: "a 63-character host label" },
  { key: "mcp-platform:services.worker.autoscaling", value: { minReplicas: 1, maxReplicas: 3, scaleUpPeriodSeconds: 1800, scaleDownStabilizationSeconds: 3600 }, field: "HPA periods at their maxima" },
  { key: "mcp-platform:services.worker.preStopSleepSeconds", value: 29, field: "a preStop sleep just below the grace period (30)" },
  { key: "mcp-platform:services.worker.probes.timeoutSeconds", value: 2147483647, field: "int32 maximum" },
  { key: "mcp-platform:postgres.statementTimeout", value: "2147483s", field: "statement_timeout just under INT_MAX ms" },
  { key: "mcp-platform:redis.cache.maxmemory", value: "512mb", field: "maxmemory equal to the memory limit (512Mi)" },
  { key: "mcp-platform:services.worker.image.repository", value: "localhost:5000/team__x/mcp-server", field: "a registry with a port, '__' in a path component" },
  { key: "mcp-platform:backups.bucket", value: "a.b-c.d", field: "dots and dashes in a bucket name" },
];
