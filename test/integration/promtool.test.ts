/**
 * The alert rules with the real Prometheus tools: `promtool check rules` on what both stacks
 * register, and `promtool test rules` unit tests: for each alert, series that cross its threshold
 * fire it after its `for` duration with the right labels, and series just under it do not.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { parsePlatformConfig, rawPlatformConfig, type MonitoringConfig } from "../../config";
import { loadStackConfig } from "../../tools/stack-config";
import { type RuleGroup } from "../../components/monitoring/public";
import { renderRuleGroups } from "../../components/monitoring/rules";
import { overviewPanels } from "../../components/monitoring/dashboards";
import { objects, PROJECT_DIR, render, renderExample, STACKS, type K8sObject } from "../harness";
import type { Plan } from "../../tools/render-stack";
import { hasBinary, runTool, tempDir } from "./real-tools";
import { drillMetrics } from "../upstream/drill-metrics";
import { SCRAPE_LABELS } from "../upstream/metric-reads";
import { checkSeries, series } from "../upstream/series";

const describeWithPromtool = hasBinary("promtool") ? describe : describe.skip;
const NS = 'namespace="ns"';
const RUNBOOK = "https://example.com/docs/runbook.md";

function monitoring(settings: Record<string, unknown> = {}): MonitoringConfig {
  const result = parsePlatformConfig({
    environment: "staging",
    services: { api: { image: { repository: "r/api", tag: "1.0.0" }, port: 8000 } },
    monitoring: settings,
  });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config.monitoring;
}

function groups(settings: Record<string, unknown> = {}): RuleGroup[] {
  return renderRuleGroups(monitoring(settings), { namespace: "ns", runbookUrl: RUNBOOK, has: ALL_PARTS });
}

/** Every part a stack can have, Postgres with three instances (two replicas). */
const ALL_PARTS = {
  postgres: true,
  postgresInstances: 3,
  backups: true,
  preReleaseBackup: true,
  drill: true,
  redisCache: true,
  redisQueue: true,
  edge: true,
  certificate: true,
  quota: true,
};

interface Case {
  name: string;
  /** Spacing of the input samples, and of the rule evaluations (long horizons need coarse steps to stay fast). */
  interval?: string;
  series: Record<string, string>;
  at: string;
  alert: string;
  /** Label sets of the alerts expected to fire (severity and priority included). */
  fires: Record<string, string>[];
  annotations?: Record<string, string>;
}

const warn = { severity: "warning", priority: "P2" };
const crit = { severity: "critical", priority: "P0" };
const high = { severity: "high", priority: "P1" };

// Series as the exporters expose them (test/upstream/series.ts checks each against its catalogue),
// with the labels their scrape adds: `app` and `color` from the PodMonitors, `cluster` on CloudNativePG's pods.
const ksm = (name: string, labels: Record<string, string>) => series("kube-state-metrics", name, { namespace: "ns", ...labels });
/**
 * A Job's series as kube-state-metrics v2.14.0 exposes them (internal/store/job.go): kube_job_status_failed
 * counts its failed pods (reason "" until the Job itself fails, then one series per known reason);
 * kube_job_failed and kube_job_complete carry its Failed and Complete conditions, once set, by status.
 */
const jobFailed = (job: string, reason: "BackoffLimitExceeded" | "DeadlineExceeded", values = "x20", namespace = "ns") => ({
  ...Object.fromEntries(["BackoffLimitExceeded", "DeadlineExceeded", "Evicted"].map((r) => [series("kube-state-metrics", "kube_job_status_failed", { namespace, job_name: job, reason: r }), `${r === reason ? 1 : 0}${values}`])),
  ...Object.fromEntries(["true", "false", "unknown"].map((c) => [series("kube-state-metrics", "kube_job_failed", { namespace, job_name: job, condition: c }), `${c === "true" ? 1 : 0}${values}`])),
});
/** A Job whose first pod failed and whose retry succeeded: its failed pod still counted, its condition Complete. */
const jobRetriedAndComplete = (job: string, values = "x20", namespace = "ns") => ({
  [series("kube-state-metrics", "kube_job_status_failed", { namespace, job_name: job, reason: "" })]: `1${values}`,
  ...Object.fromEntries(["true", "false", "unknown"].map((c) => [series("kube-state-metrics", "kube_job_complete", { namespace, job_name: job, condition: c }), `${c === "true" ? 1 : 0}${values}`])),
});
const cnpg = (name: string, labels: Record<string, string> = {}) => series("cloudnative-pg", name, { namespace: "ns", app: "postgres", cluster: "postgres", ...labels });
const barman = (name: string, pod = "postgres-1") => series("barman-cloud-plugin", `barman_cloud_cloudnative_pg_io_${name}`, { namespace: "ns", app: "postgres", cluster: "postgres", pod });
const redis = (role: string, name: string, labels: Record<string, string> = {}) => series("redis_exporter", name, { namespace: "ns", app: `redis-${role}`, pod: `redis-${role}-0`, ...labels });

/** The application's own metrics (monitoring.metrics: the app's contract, not an exporter's), with PodMonitor labels. */
const app = (name: string, extra = "") => `{${NS},app="${name}"${extra}}`;

function requests(ok: number, errors: number, color = ""): Record<string, string> {
  const c = color ? `,color="${color}"` : "";
  return {
    [`http_requests_total${app("api", `,status="200"${c}`)}`]: `0+${ok}x30`,
    [`http_requests_total${app("api", `,status="500"${c}`)}`]: `0+${errors}x30`,
  };
}

function latency(counts: [number, number, number, number], color = ""): Record<string, string> {
  const [le01, le025, le05, le1] = counts;
  const c = color ? `,color="${color}"` : "";
  return Object.fromEntries(
    ([["0.1", le01], ["0.25", le025], ["0.5", le05], ["1", le1], ["+Inf", le1]] as const).map(([le, n]) => [`http_request_duration_seconds_bucket${app("api", `,le="${le}"${c}`)}`, `0+${n}x30`]),
  );
}

const containerLabels = { namespace: "ns", pod: "api-blue-1", container: "app" };
const container = (name: string) => series("kubelet-cadvisor", name, containerLabels);
const limit = (resource: string, value: number) => ({ [ksm("kube_pod_container_resource_limits", { pod: "api-blue-1", container: "app", resource })]: `${value}x30` });
const apiLabels = { namespace: "ns", app: "api" };
const clusterLabels = { namespace: "ns", cluster: "postgres" };
const DAY = 86400;

// What the restore drill pushes (backup/lib.sh drill_metrics, run), as the Pushgateway serves it to Prometheus.
const PUSHED = drillMetrics();
const pushed = (name: string, value: string) => {
  if (!PUSHED.has(name)) throw new Error(`the restore drill pushes no ${name} (it pushes ${[...PUSHED.keys()].join(", ")})`);
  return { [`${name}{${NS},job="restore-drill",cluster="postgres",instance="10.0.0.9:9091",pod="pushgateway-1"}`]: value };
};
const DRILL_CASES: Case[] = [
  { name: "a drill that failed its checks", series: pushed("mcp_restore_drill_success", "0x20"), at: "10m", alert: "RestoreDrillFailed", fires: [{ ...high, ...clusterLabels }] },
  {
    name: "a drill Job that failed before it could push",
    series: jobFailed("restore-drill-29002", "DeadlineExceeded"),
    at: "10m",
    alert: "RestoreDrillFailed",
    fires: [{ ...high, namespace: "ns", job_name: "restore-drill-29002" }],
  },
  {
    name: "a drill that passed",
    series: { ...pushed("mcp_restore_drill_success", "1x20"), ...jobRetriedAndComplete("restore-drill-29002") },
    at: "10m",
    alert: "RestoreDrillFailed",
    fires: [],
  },
  {
    name: "a drill that never succeeded since its CronJob was created 9 days ago",
    interval: "1h",
    series: { [ksm("kube_cronjob_created", { cronjob: "restore-drill" })]: "0x230" },
    at: "216h",
    alert: "RestoreDrillStale",
    fires: [{ ...high, namespace: "ns" }],
  },
  {
    name: "a drill 2 days ago",
    interval: "1h",
    series: { [ksm("kube_cronjob_status_last_successful_time", { cronjob: "restore-drill" })]: `${7 * DAY}x230`, [ksm("kube_cronjob_created", { cronjob: "restore-drill" })]: "0x230" },
    at: "216h",
    alert: "RestoreDrillStale",
    fires: [],
  },
];

const CASES: Case[] = [
  {
    name: "2 % errors: warning, with its annotations",
    series: requests(98, 2),
    at: "15m",
    alert: "AppErrorRate",
    fires: [{ ...warn, ...apiLabels }],
    annotations: {
      summary: "api: 2% of requests fail",
      description: "More than the threshold of api's responses in ns are errors (2% over 5 minutes). After a release, roll back (MON-3).",
      runbook_url: `${RUNBOOK}#alert-apperrorrate`,
    },
  },
  { name: "6 % errors: warning and critical", series: requests(94, 6), at: "15m", alert: "AppErrorRate", fires: [{ ...warn, ...apiLabels }, { ...crit, ...apiLabels }] },
  { name: "0.9 % errors: quiet", series: requests(991, 9), at: "15m", alert: "AppErrorRate", fires: [] },
  { name: "2 % errors for less than 5 minutes: still pending", series: requests(98, 2), at: "5m", alert: "AppErrorRate", fires: [] },
  // A 5 % canary (green) with 20 % errors beside a clean blue: 1 % service-wide, which AppErrorRate (> 1 %) lets pass.
  { name: "canary at 5 % with 20 % errors: the service-wide rate stays quiet", series: { ...requests(95, 0, "blue"), ...requests(4, 1, "green") }, at: "15m", alert: "AppErrorRate", fires: [] },
  {
    name: "canary at 5 % with 20 % errors: its colour fires on its own",
    series: { ...requests(95, 0, "blue"), ...requests(4, 1, "green") },
    at: "15m",
    alert: "AppColorErrorRate",
    fires: [{ ...warn, ...apiLabels, color: "green" }, { ...crit, ...apiLabels, color: "green" }],
  },
  { name: "canary at 5 % without errors: quiet", series: { ...requests(95, 0, "blue"), ...requests(5, 0, "green") }, at: "15m", alert: "AppColorErrorRate", fires: [] },
  { name: "one failed request of a colour serving 1 a minute: too little traffic to judge", series: { ...requests(95, 0, "blue"), ...requests(0.5, 0.5, "green") }, at: "15m", alert: "AppColorErrorRate", fires: [] },
  { name: "p95 0.44 s: warning", series: latency([50, 80, 100, 100]), at: "15m", alert: "AppLatencyP95", fires: [{ ...warn, ...apiLabels }] },
  { name: "p95 0.98 s: critical", series: latency([0, 0, 0, 100]), at: "15m", alert: "AppLatencyP95", fires: [{ ...warn, ...apiLabels }, { ...crit, ...apiLabels }] },
  { name: "p95 0.28 s: quiet", series: latency([0, 100, 100, 100]), at: "15m", alert: "AppLatencyP95", fires: [] },
  {
    name: "a canary's p95 of 0.98 s: its colour fires",
    series: { ...requests(95, 0, "blue"), ...requests(5, 0, "green"), ...latency([95, 95, 95, 95], "blue"), ...latency([0, 0, 0, 5], "green") },
    at: "15m",
    alert: "AppColorLatencyP95",
    fires: [{ ...warn, ...apiLabels, color: "green" }, { ...crit, ...apiLabels, color: "green" }],
  },
  {
    name: "both colours fast: quiet",
    series: { ...requests(95, 0, "blue"), ...requests(5, 0, "green"), ...latency([95, 95, 95, 95], "blue"), ...latency([5, 5, 5, 5], "green") },
    at: "15m",
    alert: "AppColorLatencyP95",
    fires: [],
  },
  {
    name: "a slow colour with too little traffic to judge",
    series: { ...requests(95, 0, "blue"), ...requests(1, 0, "green"), ...latency([95, 95, 95, 95], "blue"), ...latency([0, 0, 0, 1], "green") },
    at: "15m",
    alert: "AppColorLatencyP95",
    fires: [],
  },
  {
    name: "40 % cache hits: warning",
    series: { [redis("cache", "redis_keyspace_hits_total")]: "0+40x40", [redis("cache", "redis_keyspace_misses_total")]: "0+60x40" },
    at: "25m",
    alert: "CacheHitRateLow",
    fires: [{ ...warn, namespace: "ns" }],
  },
  {
    name: "60 % cache hits: quiet",
    series: { [redis("cache", "redis_keyspace_hits_total")]: "0+60x40", [redis("cache", "redis_keyspace_misses_total")]: "0+40x40" },
    at: "25m",
    alert: "CacheHitRateLow",
    fires: [],
  },
  ...[
    [80, [warn]],
    [90, [warn, crit]],
    [74, []],
  ].map(([used, levels]) => ({
    name: `volume ${used} % full`,
    series: {
      [series("kubelet-volume-stats", "kubelet_volume_stats_used_bytes", { namespace: "ns", persistentvolumeclaim: "data-redis-queue-0" })]: `${used}x30`,
      [series("kubelet-volume-stats", "kubelet_volume_stats_capacity_bytes", { namespace: "ns", persistentvolumeclaim: "data-redis-queue-0" })]: "100x30",
    },
    at: "15m",
    alert: "VolumeUsage",
    fires: (levels as object[]).map((l) => ({ ...l, namespace: "ns", persistentvolumeclaim: "data-redis-queue-0" })),
  })),
  ...[
    [850, [warn]],
    [950, [warn, crit]],
    [790, []],
  ].map(([used, levels]) => ({
    name: `memory at ${Number(used) / 10} % of the limit`,
    series: { [container("container_memory_working_set_bytes")]: `${used}x30`, ...limit("memory", 1000) },
    at: "15m",
    alert: "ContainerMemory",
    fires: (levels as object[]).map((l) => ({ ...l, ...containerLabels })),
  })),
  ...[
    [45, [warn]],
    [57, [warn, crit]],
    [39, []],
  ].map(([perMinute, levels]) => ({
    name: `CPU at ${Math.round((Number(perMinute) / 60) * 100)} % of the limit`,
    series: { [container("container_cpu_usage_seconds_total")]: `0+${perMinute}x40`, ...limit("cpu", 1) },
    at: "25m",
    alert: "ContainerCPU",
    fires: (levels as object[]).map((l) => ({ ...l, ...containerLabels })),
  })),
  ...[
    [160, [warn]],
    [185, [warn, crit]],
    [140, []],
  ].map(([backends, levels]) => ({
    name: `${backends} of 200 connections`,
    series: {
      [cnpg("cnpg_backends_total", { pod: "postgres-1", datname: "app", state: "active" })]: `${backends}x30`,
      [cnpg("cnpg_pg_settings_setting", { pod: "postgres-1", name: "max_connections" })]: "200x30",
    },
    at: "15m",
    alert: "PostgresConnections",
    fires: (levels as object[]).map((l) => ({ ...l, namespace: "ns" })),
  })),
  ...[
    [15, [warn]],
    [25, [warn, crit]],
    [9, []],
  ].map(([execPerMinute, levels]) => ({
    name: `mean statement ${Number(execPerMinute) * 10} ms`,
    // The stack's own custom query (components/postgres/render.ts), named by CloudNativePG's rule.
    series: { [`cnpg_mcp_statements_exec_seconds{${NS},pod="postgres-1"}`]: `0+${execPerMinute}x40`, [`cnpg_mcp_statements_calls{${NS},pod="postgres-1"}`]: "0+100x40" },
    at: "25m",
    alert: "PostgresQueryTime",
    fires: (levels as object[]).map((l) => ({ ...l, namespace: "ns" })),
  })),
  {
    name: "one of two replicas streaming",
    series: {
      [cnpg("cnpg_pg_replication_streaming_replicas", { pod: "postgres-1" })]: "1x20",
      [cnpg("cnpg_pg_replication_streaming_replicas", { pod: "postgres-2" })]: "0x20",
    },
    at: "10m",
    alert: "PostgresReplicaMissing",
    fires: [{ ...high, ...clusterLabels }],
  },
  { name: "both replicas streaming", series: { [cnpg("cnpg_pg_replication_streaming_replicas", { pod: "postgres-1" })]: "2x20" }, at: "10m", alert: "PostgresReplicaMissing", fires: [] },
  ...[
    [45, [warn]],
    [150, [warn, crit]],
    [10, []],
  ].map(([lag, levels]) => ({
    name: `a replica ${lag} s behind`,
    series: { [cnpg("cnpg_pg_replication_lag", { pod: "postgres-2" })]: `${lag}x20`, [cnpg("cnpg_pg_replication_lag", { pod: "postgres-3" })]: "0x20" },
    at: "10m",
    alert: "PostgresReplicationLag",
    fires: (levels as object[]).map((l) => ({ ...l, ...clusterLabels })),
  })),
  {
    name: "no base backup for 28 h",
    interval: "10m",
    series: { [barman("last_available_backup_timestamp")]: "0x200" },
    at: "28h",
    alert: "BackupStale",
    fires: [{ ...high, ...clusterLabels }],
  },
  {
    name: "a base backup 4 h ago",
    interval: "10m",
    series: { [barman("last_available_backup_timestamp")]: `${DAY}x200` },
    at: "28h",
    alert: "BackupStale",
    fires: [],
  },
  {
    name: "the last base backup failed",
    series: { [barman("last_failed_backup_timestamp")]: "200x20", [barman("last_available_backup_timestamp")]: "100x20" },
    at: "10m",
    alert: "BackupFailed",
    fires: [{ ...high, ...clusterLabels }],
  },
  {
    name: "a failure before the last good base backup",
    series: { [barman("last_failed_backup_timestamp")]: "100x20", [barman("last_available_backup_timestamp")]: "200x20" },
    at: "10m",
    alert: "BackupFailed",
    fires: [],
  },
  {
    name: "no backup metrics from the plugin",
    series: { [cnpg("cnpg_collector_up", { pod: "postgres-1" })]: "1x60" },
    at: "40m",
    alert: "BackupMetricsAbsent",
    fires: [{ ...warn, namespace: "ns" }],
  },
  { name: "backup metrics present", series: { [barman("last_available_backup_timestamp")]: "100x60" }, at: "40m", alert: "BackupMetricsAbsent", fires: [] },
  {
    name: "WAL archiving failed after its last success",
    series: { [cnpg("cnpg_pg_stat_archiver_last_failed_time", { pod: "postgres-1" })]: "0x5 600x20", [cnpg("cnpg_pg_stat_archiver_last_archived_time", { pod: "postgres-1" })]: "300x25" },
    at: "20m",
    alert: "WALArchivingFailing",
    fires: [{ ...crit, ...clusterLabels }],
  },
  {
    name: "WAL archiving recovered after a failure",
    series: { [cnpg("cnpg_pg_stat_archiver_last_failed_time", { pod: "postgres-1" })]: "300x25", [cnpg("cnpg_pg_stat_archiver_last_archived_time", { pod: "postgres-1" })]: "600x25" },
    at: "20m",
    alert: "WALArchivingFailing",
    fires: [],
  },
  {
    name: "15 WAL files waiting to be archived",
    series: { [cnpg("cnpg_collector_pg_wal_archive_status", { pod: "postgres-1", value: "ready" })]: "15x30", [cnpg("cnpg_collector_pg_wal_archive_status", { pod: "postgres-1", value: "done" })]: "500x30" },
    at: "15m",
    alert: "WALArchivingBehind",
    fires: [{ ...warn, ...clusterLabels }],
  },
  { name: "3 WAL files waiting", series: { [cnpg("cnpg_collector_pg_wal_archive_status", { pod: "postgres-1", value: "ready" })]: "3x30" }, at: "15m", alert: "WALArchivingBehind", fires: [] },
  {
    name: "no restore check for 31 h",
    interval: "1h",
    series: { [ksm("kube_cronjob_status_last_successful_time", { cronjob: "restore-check" })]: "0x40", [ksm("kube_cronjob_created", { cronjob: "restore-check" })]: "0x40" },
    at: "32h",
    alert: "RestoreCheckStale",
    fires: [{ ...high, namespace: "ns" }],
  },
  {
    // kube-state-metrics has no last-success series before the first success (internal/store/cronjob.go).
    name: "a restore check that never succeeded since its CronJob was created 31 h ago",
    interval: "1h",
    series: { [ksm("kube_cronjob_created", { cronjob: "restore-check" })]: "0x40" },
    at: "32h",
    alert: "RestoreCheckStale",
    fires: [{ ...high, namespace: "ns" }],
  },
  {
    name: "a restore check 2 h ago",
    interval: "1h",
    series: { [ksm("kube_cronjob_status_last_successful_time", { cronjob: "restore-check" })]: `${30 * 3600}x40`, [ksm("kube_cronjob_created", { cronjob: "restore-check" })]: "0x40" },
    at: "32h",
    alert: "RestoreCheckStale",
    fires: [],
  },
  {
    name: "a failed restore check",
    series: jobFailed("restore-check-29001", "BackoffLimitExceeded"),
    at: "10m",
    alert: "RestoreCheckFailed",
    fires: [{ ...high, namespace: "ns", job_name: "restore-check-29001" }],
  },
  { name: "a restore check that passed on its retry", series: jobRetriedAndComplete("restore-check-29001"), at: "10m", alert: "RestoreCheckFailed", fires: [] },
  {
    name: "a failed pre-release backup, named",
    series: jobFailed("pre-release-api-1-4-2", "BackoffLimitExceeded", "x10"),
    at: "5m",
    alert: "PreReleaseBackupFailed",
    fires: [{ ...crit, namespace: "ns", job_name: "pre-release-api-1-4-2" }],
  },
  { name: "a pre-release backup completed on its retry", series: jobRetriedAndComplete("pre-release-api-1-4-2", "x10"), at: "5m", alert: "PreReleaseBackupFailed", fires: [] },
  ...DRILL_CASES,
  {
    name: "5 restarts in 5 minutes",
    series: { [ksm("kube_pod_container_status_restarts_total", { pod: "api-blue-1", container: "app" })]: "0+1x20" },
    at: "10m",
    alert: "PodRestarting",
    fires: [{ ...high, ...containerLabels }],
  },
  { name: "2.5 restarts in 5 minutes", series: { [ksm("kube_pod_container_status_restarts_total", { pod: "api-blue-1", container: "app" })]: "0+0.5x20" }, at: "10m", alert: "PodRestarting", fires: [] },
  {
    name: "150 jobs waiting",
    series: { [redis("queue", "redis_key_size", { db: "db0", key: "bull:default:wait" })]: "150x30" },
    at: "15m",
    alert: "QueueBacklog",
    fires: [{ ...warn, namespace: "ns" }],
  },
  { name: "50 jobs waiting", series: { [redis("queue", "redis_key_size", { db: "db0", key: "bull:default:wait" })]: "50x30" }, at: "15m", alert: "QueueBacklog", fires: [] },
  {
    name: "20 failed jobs",
    series: { [redis("queue", "redis_key_size", { db: "db0", key: "bull:default:failed" })]: "20x30" },
    at: "15m",
    alert: "QueueFailedJobs",
    fires: [{ ...warn, namespace: "ns" }],
  },
  { name: "5 failed jobs", series: { [redis("queue", "redis_key_size", { db: "db0", key: "bull:default:failed" })]: "5x30" }, at: "15m", alert: "QueueFailedJobs", fires: [] },
  ...[
    [10, [warn]],
    [5, [warn, crit]],
    [30, []],
  ].map(([days, levels]) => ({
    name: `certificate expiring in ${days} days`,
    // As the ServiceMonitor with honorLabels keeps it: the Certificate's own namespace label.
    series: { [series("cert-manager", "certmanager_certificate_expiration_timestamp_seconds", { namespace: "ns", name: "edge", issuer_name: "letsencrypt", issuer_kind: "ClusterIssuer", issuer_group: "cert-manager.io" })]: `${7200 + Number(days) * DAY}x130` },
    at: "2h",
    alert: "CertificateExpiry",
    fires: (levels as object[]).map((l) => ({ ...l, namespace: "ns", name: "edge" })),
  })),
  {
    name: "3 failed uptime checks in a row",
    series: { [series("blackbox_exporter", "probe_success", { namespace: "ns", probe: "uptime", instance: "https://mcp.example.com/health/ready" })]: "1 1 0 0 0 0" },
    at: "4m",
    alert: "UptimeProbeFailed",
    fires: [{ ...crit, namespace: "ns", probe: "uptime", instance: "https://mcp.example.com/health/ready" }],
  },
  {
    name: "2 failed uptime checks in a row",
    series: { [series("blackbox_exporter", "probe_success", { namespace: "ns", probe: "uptime", instance: "https://mcp.example.com/health/ready" })]: "1 0 0 1 0 0" },
    at: "5m",
    alert: "UptimeProbeFailed",
    fires: [],
  },
  ...[
    [85, [warn]],
    [95, [warn, crit]],
    [75, []],
  ].map(([used, levels]) => ({
    name: `quota ${used} % used`,
    series: {
      [ksm("kube_resourcequota", { resource: "pods", type: "used", resourcequota: "quota" })]: `${used}x30`,
      [ksm("kube_resourcequota", { resource: "pods", type: "hard", resourcequota: "quota" })]: "100x30",
    },
    at: "20m",
    alert: "CapacityQuota",
    fires: (levels as object[]).map((l) => ({ ...l, namespace: "ns", resource: "pods" })),
  })),
  {
    name: "an unscrapeable target",
    series: { [series("prometheus", "up", { namespace: "ns", job: "ns/api", pod: "api-blue-1", instance: "10.0.0.1:8000" })]: "0x10" },
    at: "6m",
    alert: "MetricsTargetDown",
    fires: [{ ...warn, namespace: "ns", job: "ns/api", pod: "api-blue-1", instance: "10.0.0.1:8000" }],
  },
  { name: "a target that answers", series: { [series("prometheus", "up", { namespace: "ns", job: "ns/api", pod: "api-blue-1", instance: "10.0.0.1:8000" })]: "1x10" }, at: "6m", alert: "MetricsTargetDown", fires: [] },
];

/** The labels a stack's own monitors add (app, color, cluster, probe), read from its rendered objects. */
function addedLabels(plan: Plan): Set<string> {
  const added = new Set<string>();
  for (const o of objects(plan).values()) {
    if (o.kind === "PodMonitor") for (const e of o.spec.podMetricsEndpoints) for (const r of e.relabelings ?? []) added.add(r.targetLabel);
    if (o.kind === "Probe") for (const label of Object.keys(o.spec.targets.staticConfig.labels)) added.add(label);
  }
  return added;
}

/** The groups without annotations, for the cases that check labels only (promtool compares both). */
function withoutAnnotations(ruleGroups: RuleGroup[]): RuleGroup[] {
  return ruleGroups.map((g) => ({ ...g, rules: g.rules.map((r) => ("alert" in r ? { ...r, annotations: undefined } : r)) })) as RuleGroup[];
}

/**
 * The rules an alert needs: its own and, transitively, the recording rules whose series its
 * expression reads (a name in an expression is a series name or a function, and no rule records a
 * function's name), each group keeping its order. promtool evaluates every rule of its files at
 * every step, so the stack's whole set for each of 74 cases took most of this file's time.
 */
function rulesFor(ruleGroups: RuleGroup[], alert: string): RuleGroup[] {
  const rules = ruleGroups.flatMap((g) => g.rules);
  const recorded = new Map(rules.flatMap((r) => ("record" in r ? [[r.record, r] as const] : [])));
  const needed = new Set(rules.filter((r) => "alert" in r && r.alert === alert));
  if (needed.size === 0) throw new Error(`no alert ${alert} among the rules`);
  for (const rule of needed) {
    for (const [name] of String(rule.expr).matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
      const recording = recorded.get(name);
      if (recording) needed.add(recording);
    }
  }
  return ruleGroups.map((g) => ({ ...g, rules: g.rules.filter((r) => needed.has(r)) })).filter((g) => g.rules.length > 0) as RuleGroup[];
}

/**
 * Runs promtool test rules on the given groups with the given cases in one run: a test file per
 * alert, sampling interval (it is also the file's evaluation interval) and whether annotations are
 * compared, each file with only the rules its alert needs (rulesFor); returns the status and output.
 */
function promtoolTest(ruleGroups: RuleGroup[], cases: Case[]): { status: number | null; output: string } {
  const dir = tempDir("mcp-promtool-");
  const byFile = new Map<string, Case[]>();
  for (const c of cases) {
    const key = JSON.stringify([c.alert, c.interval ?? "1m", Boolean(c.annotations)]);
    byFile.set(key, [...(byFile.get(key) ?? []), c]);
  }
  const testFiles = [...byFile.values()].map((subset, i) => {
    const [{ alert, interval = "1m", annotations }] = subset;
    const rules = rulesFor(annotations ? ruleGroups : withoutAnnotations(ruleGroups), alert);
    fs.writeFileSync(path.join(dir, `${i}.rules.yaml`), stringify({ groups: rules }, { lineWidth: 0 }));
    const tests = {
      rule_files: [`${i}.rules.yaml`],
      evaluation_interval: interval,
      tests: subset.map((c) => ({
        name: `${c.alert}: ${c.name}`,
        interval,
        input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
        alert_rule_test: [
          {
            eval_time: c.at,
            alertname: c.alert,
            exp_alerts: c.fires.map((labels) => ({ exp_labels: labels, ...(c.annotations ? { exp_annotations: c.annotations } : {}) })),
          },
        ],
      })),
    };
    const file = path.join(dir, `${i}.tests.yaml`);
    fs.writeFileSync(file, stringify(tests, { lineWidth: 0 }));
    return file;
  });
  return runTool("promtool", ["test", "rules", ...testFiles]);
}

describeWithPromtool("promtool", () => {
  it.each(STACKS)("check rules accepts the PrometheusRule of the %s stack", async (stack) => {
    const rule = objects(await render(stack)).get("PrometheusRule/mcp-platform");
    expect(rule).toBeDefined();
    const dir = tempDir("mcp-promtool-");
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: rule!.spec.groups }, { lineWidth: 0 }));
    const result = runTool("promtool", ["check", "rules", path.join(dir, "rules.yaml")]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  it("check rules rejects a broken expression (the check can fail)", () => {
    const broken = groups();
    (broken[1].rules[0] as { expr: string }).expr = "sum by (app (rate(x[5m]))";
    const dir = tempDir("mcp-promtool-");
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: broken }));
    expect(runTool("promtool", ["check", "rules", path.join(dir, "rules.yaml")]).status).not.toBe(0);
  });

  it("check rules accepts every dashboard query (MON-13)", () => {
    const panels = overviewPanels({ namespace: "ns", has: ALL_PARTS });
    const rules = panels.flatMap((p, i) => p.targets.map((t, j) => ({ record: `dashboard:panel${i}:query${j}`, expr: t.expr })));
    const dir = tempDir("mcp-promtool-");
    fs.writeFileSync(path.join(dir, "panels.yaml"), stringify({ groups: [{ name: "dashboard", rules }] }, { lineWidth: 0 }));
    const result = runTool("promtool", ["check", "rules", path.join(dir, "panels.yaml")]);
    expect(result.output).toMatch(`SUCCESS: ${rules.length} rules found`);
  });

  it("feeds only series the exporters expose at the pinned versions, with labels they or their scrape carry", async () => {
    expect(checkSeries(addedLabels(await render("production")), SCRAPE_LABELS)).toEqual([]);
  });

  it("every alert has a case that fires it and one that stays under its threshold", () => {
    const alerts = new Set(groups().flatMap((g) => g.rules.flatMap((r) => ("alert" in r ? [r.alert] : []))));
    const fired = new Set(CASES.filter((c) => c.fires.length > 0).map((c) => c.alert));
    const quiet = new Set(CASES.filter((c) => c.fires.length === 0).map((c) => c.alert));
    expect([...alerts].filter((a) => !fired.has(a) || !quiet.has(a))).toEqual([]);
  });

  it(`test rules: ${CASES.length} cases of thresholds crossed and not`, () => {
    const result = promtoolTest(groups(), CASES);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  it("test rules fails when an expectation is wrong (the test can fail)", () => {
    const wrong = { ...CASES[2], fires: [{ ...warn, ...apiLabels }] };
    const result = promtoolTest(groups(), [wrong]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/FAILED/);
  });

  it("the stack files' thresholds decide what fires: a p95 of 0.44 s warns in production, not in staging", () => {
    const fromStack = (stack: string) => {
      const parsed = parsePlatformConfig(rawPlatformConfig(loadStackConfig(PROJECT_DIR, stack).config));
      if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
      return renderRuleGroups(parsed.config.monitoring, {
        namespace: "ns",
        runbookUrl: RUNBOOK,
        has: ALL_PARTS,
      });
    };
    const p95 = CASES.find((c) => c.alert === "AppLatencyP95")!;
    expect(promtoolTest(fromStack("production"), [p95]).status).toBe(0);
    const staging = promtoolTest(fromStack("staging"), [{ ...p95, fires: [] }]);
    expect(staging.output).toMatch(/SUCCESS/);
    expect(staging.status).toBe(0);
  });

  it("AppLatencyRegression fires on a p95 five times its baseline, and stays quiet on a steady one (latencyP95Baseline)", () => {
    // Requests at +100 a minute: under 0.1 s for 40 minutes (p95 0.095 s), then between 0.25 and 0.5 s (p95 0.49 s).
    const bucket = (le: string, values: string) => ({ [`http_request_duration_seconds_bucket${app("api", `,le="${le}"`)}`]: values });
    const slower = { ...bucket("0.1", "0+100x40 4000+0x40"), ...bucket("0.25", "0+100x40 4000+0x40"), ...bucket("0.5", "0+100x80"), ...bucket("+Inf", "0+100x80") };
    const steady = { ...bucket("0.1", "0+100x80"), ...bucket("0.25", "0+100x80"), ...bucket("0.5", "0+100x80"), ...bucket("+Inf", "0+100x80") };
    const result = promtoolTest(groups({ thresholds: { latencyP95Baseline: { offset: "30m" } } }), [
      { name: "5x its baseline: warning and critical", series: slower, at: "70m", alert: "AppLatencyRegression", fires: [{ ...warn, ...apiLabels }, { ...crit, ...apiLabels }] },
      { name: "as fast as its baseline: quiet", series: steady, at: "70m", alert: "AppLatencyRegression", fires: [] },
    ]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  it("per tenant, as examples/go-commerce.yaml deploys it: TenantErrorRate fires for the tenant above the threshold only, TenantJobFailed on each failed tenant Job (TEN-1, TEN-2, BAK-5)", async () => {
    const plan = await renderExample("go-commerce.yaml");
    const all = [...objects(plan).values()];
    const rule = all.find((o) => o.kind === "PrometheusRule")!;
    const namespace = rule.metadata.namespace!;
    // The tenants' Jobs as the stack renders them: provisioning Jobs (labelled with their tenant), and what the CronJob that backs the tenants up creates.
    const tenantJobs = all.filter((o) => o.kind === "Job" && o.spec.template.metadata.labels["mcp-platform.io/tenant"]);
    const [acme, globex] = tenantJobs.map((o) => o.spec.template.metadata.labels["mcp-platform.io/tenant"] as string);
    expect([acme, globex]).toEqual(["acme", "globex"]);
    const runs = (cronJob: K8sObject) => cronJob.spec.jobTemplate.spec.template.spec.containers.flatMap((c: { args?: string[] }) => c.args ?? []);
    const cronJobs = all.filter((o) => o.kind === "CronJob");
    const tenantBackups = cronJobs.filter((o) => runs(o).includes("--tenant"));
    expect(tenantBackups.map((o) => runs(o))).toEqual([["--tenant", acme, "--tenant", globex]]);
    // The CronJob controller names each Job <cronjob>-<scheduled time in minutes since the epoch>.
    const scheduled = (o: K8sObject) => `${o.metadata.name}-29412960`;
    const otherJobs = [...all.filter((o) => o.kind === "Job" && !tenantJobs.includes(o)).map((o) => o.metadata.name), ...cronJobs.filter((o) => !tenantBackups.includes(o)).map(scheduled)];
    expect(otherJobs.length).toBeGreaterThan(2);

    const failed = (job: string) => jobFailed(job, "BackoffLimitExceeded", "x10", namespace);
    // A provisioning Job fails until CloudNativePG has created the tenant's role, and is retried.
    const succeeded = (job: string) => jobRetriedAndComplete(job, "x10", namespace);
    const jobCase = (name: string, series: Record<string, string>, fires: string[]): Case => ({
      name,
      series,
      at: "5m",
      alert: "TenantJobFailed",
      fires: fires.map((job) => ({ ...high, namespace, job_name: job })),
    });

    // The app's requests counter (monitoring.metrics.requests) with the tenant label (metrics.tenantLabel) the rule reads, per tenant and status.
    const appRequests = (tenant: string, ok: number, errors: number) => ({
      [`http_server_requests_seconds_count{namespace="${namespace}",app="api",pod="api-blue-1",tenant="${tenant}",status="200"}`]: `0+${ok}x30`,
      [`http_server_requests_seconds_count{namespace="${namespace}",app="api",pod="api-blue-1",tenant="${tenant}",status="500"}`]: `0+${errors}x30`,
    });
    const tenantAlert = (tenant: string, levels: object[]) => levels.map((l) => ({ ...l, namespace, tenant }));
    const cases: Case[] = [
      {
        name: `${acme} at 8 % errors, ${globex} at 0.5 %`,
        series: { ...appRequests(acme, 92, 8), ...appRequests(globex, 199, 1) },
        at: "15m",
        alert: "TenantErrorRate",
        fires: tenantAlert(acme, [warn, crit]),
      },
      { name: `${globex} at 2 %, ${acme} without errors`, series: { ...appRequests(acme, 100, 0), ...appRequests(globex, 98, 2) }, at: "15m", alert: "TenantErrorRate", fires: tenantAlert(globex, [warn]) },
      { name: "both tenants under 1 %", series: { ...appRequests(acme, 995, 5), ...appRequests(globex, 999, 1) }, at: "15m", alert: "TenantErrorRate", fires: [] },
      { name: "errors of a tenant the stack does not have", series: appRequests("initech", 50, 50), at: "15m", alert: "TenantErrorRate", fires: [] },
      ...tenantJobs.map((o) => jobCase(`provisioning Job ${o.metadata.name} failed`, { ...failed(o.metadata.name), ...succeeded(tenantJobs.find((x) => x !== o)!.metadata.name) }, [o.metadata.name])),
      jobCase("a scheduled tenant backup failed", failed(scheduled(tenantBackups[0])), [scheduled(tenantBackups[0])]),
      jobCase("a tenant's final backup made from the CronJob failed", failed(`${tenantBackups[0].metadata.name}-final-${acme}`), [`${tenantBackups[0].metadata.name}-final-${acme}`]),
      jobCase("every tenant Job succeeded", Object.assign({}, ...[...tenantJobs.map((o) => o.metadata.name), scheduled(tenantBackups[0])].map(succeeded)), []),
      jobCase("the stack's other Jobs failed", Object.assign({}, ...otherJobs.map(failed)), []),
    ];
    expect(checkSeries(addedLabels(plan), SCRAPE_LABELS)).toEqual([]);
    const result = promtoolTest(withoutAnnotations(rule.spec.groups as RuleGroup[]), cases);
    expect(result.output).not.toMatch(/FAILED/);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  }, 60000);

  it("a threshold changed in the config changes what fires", () => {
    const raised = groups({ thresholds: { errorRate: { warning: 0.03, critical: 0.1 } } });
    const result = promtoolTest(raised, [
      { ...CASES[0], annotations: undefined, fires: [] },
      { name: "6 % errors over a 3 % warning", series: requests(94, 6), at: "15m", alert: "AppErrorRate", fires: [{ ...warn, ...apiLabels }] },
    ]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });
});
