/**
 * The runbooks' thresholds as Prometheus recording and alerting rules, rendered from config. Pure:
 * the same groups go into the PrometheusRule and through `promtool check rules` / `promtool test rules`.
 *
 * Series carry `namespace` and `app` (the pod's app.kubernetes.io/name, set by the PodMonitors), so
 * every rule is scoped to the stack's namespace and grouped by app.
 */
import { activeTenants, type MonitoringConfig, type PlatformConfig } from "../../config";
import { PRE_RELEASE_PREFIX } from "../backup/cnpg-render";
import { JOB_NAMES } from "../backup/jobs-render";
import { promqlString, templateLiteral } from "./escape";

export type Severity = "critical" | "high" | "warning" | "info";

/** MON-15: severity to priority (and response time: P0 15 min, P1 1 h, P2 4 h, P3 next day). */
export const PRIORITY: Record<Severity, string> = { critical: "P0", high: "P1", warning: "P2", info: "P3" };

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: Severity; priority: string; [label: string]: string };
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: (RecordingRule | AlertingRule)[];
}

export interface RulesContext {
  namespace: string;
  /** Base of the runbook links: docs/runbook.md as operators read it. */
  runbookUrl: string;
  /** Whether the stack has these parts; rules for absent parts are left out. */
  has: {
    postgres: boolean;
    /** Postgres instances: replication is watched with more than one. */
    postgresInstances: number;
    /** Physical backups (WAL archiving, base backups) through the barman-cloud plugin, and the logical backup jobs. */
    backups: boolean;
    /** A base backup before each release (backups.preReleaseBackup). */
    preReleaseBackup: boolean;
    /** The scheduled physical restore drill (backups.drill). */
    drill: boolean;
    redisCache: boolean;
    redisQueue: boolean;
    /** The edge: the public uptime probe. */
    edge: boolean;
    /** A certificate cert-manager issues (edge.tls.issuer). */
    certificate: boolean;
    quota: boolean;
  };
  /** The tenants (mcp-platform:tenants): a per-tenant error alert for those not being removed, and the Jobs of all watched. */
  tenants?: PlatformConfig["tenants"];
}

/** A blue-green pod's name: its Deployment's (<service>-<colour>), then the ReplicaSet's and the pod's hashes. */
export const COLOR_POD = "(.+)-(blue|green)-[a-z0-9]+-[a-z0-9]+";

/** The anchor of an alert's section in docs/runbook.md ("### Alert: AppErrorRate"). */
export const runbookAnchor = (alert: string) => `alert-${alert.toLowerCase()}`;

/** Series the restore drill pushes (backup/restore-drill.sh), grouped by job and cluster on the Pushgateway. */
export const DRILL_METRICS = {
  success: "mcp_restore_drill_success",
  duration: "mcp_restore_drill_duration_seconds",
  recoveryPointAge: "mcp_restore_drill_recovery_point_age_seconds",
} as const;

export function renderRuleGroups(monitoring: MonitoringConfig, ctx: RulesContext): RuleGroup[] {
  const ns = `namespace="${ctx.namespace}"`;
  const m = monitoring.metrics;
  const t = monitoring.thresholds;
  const alert = (
    name: string,
    severity: Severity,
    expr: string,
    duration: string,
    summary: string,
    description: string,
  ): AlertingRule => ({
    alert: name,
    expr,
    for: duration,
    labels: { severity, priority: PRIORITY[severity] },
    annotations: { summary, description, runbook_url: templateLiteral(`${ctx.runbookUrl}#${runbookAnchor(name)}`) },
  });
  /** A warning and a critical alert on the same expression, above two thresholds (and `guard`, if given). */
  const pair = (name: string, expr: string, limits: { warning: number; critical: number }, duration: string, summary: string, description: string, guard = "") =>
    (["warning", "critical"] as const).map((severity) => alert(name, severity, `${expr} > ${limits[severity]}${guard}`, duration, summary, description));
  /**
   * A CronJob's last success is too old, or it never succeeded since it was created that long ago:
   * kube-state-metrics has no last-success series for a CronJob that never succeeded.
   */
  const staleCronJob = (cronJob: string, maxAgeHours: number) => {
    const job = `${ns},cronjob="${cronJob}"`;
    const seconds = maxAgeHours * 3600;
    return (
      `time() - max by (namespace) (kube_cronjob_status_last_successful_time{${job}}) > ${seconds}` +
      ` or (time() - max by (namespace) (kube_cronjob_created{${job}}) > ${seconds} unless on (namespace) kube_cronjob_status_last_successful_time{${job}})`
    );
  };
  /**
   * Any failed Job of a CronJob (or named with a prefix), by Job name: its Failed condition (retries
   * used up, or its deadline passed). Not its failed pods (kube_job_status_failed): a retry that
   * succeeds leaves them counted.
   */
  const failedJobs = (prefix: string) => `max by (namespace, job_name) (kube_job_failed{${ns},job_name=~"${prefix}-.*",condition="true"}) > 0`;

  const tenantIds = Object.keys(ctx.tenants ?? {});
  const activeTenantIds = activeTenants(ctx.tenants).map(([id]) => id);

  const requests = (selector: string) => `rate(${m.requests}{${ns}${selector}}[5m])`;
  const errors = (selector: string) => `rate(${m.requests}{${ns}${selector},${m.statusLabel}=~${promqlString(m.errorStatus)}}[5m])`;
  const recording: RecordingRule[] = [
    // Per service (both colours together), and per service and colour: a canary or a newly promoted
    // colour is judged on its own traffic, which the service-wide figures dilute (MON-3, MON-4, REL-4).
    ...([
      ["app", "namespace, app", ""],
      ["app_color", "namespace, app, color", ',color!=""'],
    ] as const).flatMap(([level, by, selector]) => [
      { record: `${level}:http_requests:rate5m`, expr: `sum by (${by}) (${requests(selector)})` },
      { record: `${level}:http_errors:rate5m`, expr: `sum by (${by}) (${errors(selector)})` },
      { record: `${level}:http_error_ratio:rate5m`, expr: `${level}:http_errors:rate5m / ${level}:http_requests:rate5m` },
      ...(level === "app" ? [0.5, 0.95, 0.99] : [0.95]).map((q) => ({
        record: `${level}:http_request_duration_seconds:p${Math.round(q * 100)}_5m`,
        expr: `histogram_quantile(${q}, sum by (${by}, le) (rate(${m.duration}_bucket{${ns}${selector}}[5m])))`,
      })),
    ]),
    // Restarts per service and colour (MON-9, for npm run analyze): kube-state-metrics names the pod, whose
    // name is its Deployment's (<service>-<colour>) followed by the ReplicaSet's and the pod's hashes.
    {
      record: "app_color:pod_restarts:increase5m",
      expr: `sum by (namespace, app, color) (label_replace(label_replace(increase(kube_pod_container_status_restarts_total{${ns},pod=~"${COLOR_POD}"}[5m]), "app", "$1", "pod", "${COLOR_POD}"), "color", "$2", "pod", "${COLOR_POD}"))`,
    },
    // Per tenant, where the app labels its requests with the tenant (monitoring.metrics.tenantLabel).
    ...(activeTenantIds.length
      ? (() => {
          const selector = `,${m.tenantLabel}=~"${activeTenantIds.join("|")}"`;
          const by = `namespace, ${m.tenantLabel}`;
          return [
            { record: "tenant:http_requests:rate5m", expr: `sum by (${by}) (${requests(selector)})` },
            { record: "tenant:http_errors:rate5m", expr: `sum by (${by}) (${errors(selector)})` },
            { record: "tenant:http_error_ratio:rate5m", expr: "tenant:http_errors:rate5m / tenant:http_requests:rate5m" },
          ];
        })()
      : []),
    ...(ctx.has.redisCache
      ? [
          {
            record: "redis:cache_hit_ratio:rate5m",
            expr: `sum by (namespace) (rate(redis_keyspace_hits_total{${ns},app="redis-cache"}[5m])) / (sum by (namespace) (rate(redis_keyspace_hits_total{${ns},app="redis-cache"}[5m])) + sum by (namespace) (rate(redis_keyspace_misses_total{${ns},app="redis-cache"}[5m])))`,
          },
        ]
      : []),
    ...(ctx.has.postgres
      ? [
          {
            record: "postgres:connections_ratio",
            expr: `max by (namespace) (sum by (namespace, pod) (cnpg_backends_total{${ns}}) / max by (namespace, pod) (cnpg_pg_settings_setting{${ns},name="max_connections"}))`,
          },
          {
            record: "postgres:statement_mean_seconds:rate5m",
            expr: `sum by (namespace) (rate(cnpg_mcp_statements_exec_seconds{${ns}}[5m])) / sum by (namespace) (rate(cnpg_mcp_statements_calls{${ns}}[5m]))`,
          },
        ]
      : []),
  ];

  // A colour is judged on its own only with enough traffic to judge: one failed request of three is not a 33 % error rate.
  const enoughTraffic = ` and on (namespace, app, color) app_color:http_requests:rate5m{${ns}} >= ${t.colorMinRequestRate}`;
  const barman = (metric: string) => `max by (namespace, cluster) (barman_cloud_cloudnative_pg_io_${metric}{${ns}})`;

  const alerts: AlertingRule[] = [
    ...(activeTenantIds.length
      ? pair(
          "TenantErrorRate",
          `tenant:http_error_ratio:rate5m{${ns}}`,
          t.errorRate,
          "5m",
          `Tenant {{ $labels.${m.tenantLabel} }}: {{ $value | humanizePercentage }} of requests fail`,
          `More than the threshold of tenant {{ $labels.${m.tenantLabel} }}'s requests in {{ $labels.namespace }} are errors ({{ $value | humanizePercentage }} over 5 minutes), whatever the service-wide rate (TEN-1).`,
        )
      : []),
    ...(tenantIds.length
      ? [
          alert(
            "TenantJobFailed",
            "high",
            // A tenant's provisioning and removal Jobs (tenant-<id>-...), and the Jobs of the tenants' backup CronJob (and those made from it).
            failedJobs(`(${[...tenantIds.map((id) => `tenant-${id}`), JOB_NAMES.tenants].join("|")})`),
            "1m",
            "Tenant Job {{ $labels.job_name }} failed",
            "A tenant's provisioning or removal Job, or the tenants' backup, failed in {{ $labels.namespace }}: the tenant is not verified, not removed, or not backed up (TEN-1, TEN-2, BAK-5).",
          ),
        ]
      : []),
    ...pair(
      "AppErrorRate",
      `app:http_error_ratio:rate5m{${ns}}`,
      t.errorRate,
      "5m",
      "{{ $labels.app }}: {{ $value | humanizePercentage }} of requests fail",
      "More than the threshold of {{ $labels.app }}'s responses in {{ $labels.namespace }} are errors ({{ $value | humanizePercentage }} over 5 minutes). After a release, roll back (MON-3).",
    ),
    ...pair(
      "AppColorErrorRate",
      `app_color:http_error_ratio:rate5m{${ns}}`,
      t.errorRate,
      "5m",
      "{{ $labels.app }} {{ $labels.color }}: {{ $value | humanizePercentage }} of requests fail",
      "The {{ $labels.color }} colour of {{ $labels.app }} in {{ $labels.namespace }} answers {{ $value | humanizePercentage }} of its own requests with errors, whatever the service-wide rate. A canary or a new release on it: abort the canary or roll back (MON-3, REL-4).",
      enoughTraffic,
    ),
    ...pair(
      "AppLatencyP95",
      `app:http_request_duration_seconds:p95_5m{${ns}}`,
      t.latencyP95Seconds,
      "5m",
      "{{ $labels.app }}: p95 response time {{ $value | humanizeDuration }}",
      "The 95th percentile response time of {{ $labels.app }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} (MON-4).",
    ),
    ...pair(
      "AppColorLatencyP95",
      `app_color:http_request_duration_seconds:p95_5m{${ns}}`,
      t.latencyP95Seconds,
      "5m",
      "{{ $labels.app }} {{ $labels.color }}: p95 response time {{ $value | humanizeDuration }}",
      "The 95th percentile response time of the {{ $labels.color }} colour of {{ $labels.app }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }}. A canary or a new release on it: abort the canary or roll back (MON-4, REL-4).",
      enoughTraffic,
    ),
    ...(t.latencyP95Baseline
      ? pair(
          "AppLatencyRegression",
          // Apps without a baseline (new, or idle then) have no series and stay quiet.
          `app:http_request_duration_seconds:p95_5m{${ns}} / app:http_request_duration_seconds:p95_5m{${ns}} offset ${t.latencyP95Baseline.offset}`,
          t.latencyP95Baseline,
          "10m",
          "{{ $labels.app }}: p95 response time {{ $value | humanize }}x its baseline",
          `The 95th percentile response time of {{ $labels.app }} in {{ $labels.namespace }} is {{ $value | humanize }} times what it was ${t.latencyP95Baseline.offset} earlier. After a release, roll back (MON-4).`,
        )
      : []),
    ...(ctx.has.redisCache
      ? [
          alert(
            "CacheHitRateLow",
            "warning",
            `redis:cache_hit_ratio:rate5m{${ns}} < ${t.cacheHitRateMin}`,
            "15m",
            "Cache hit rate {{ $value | humanizePercentage }}",
            `The Redis cache in {{ $labels.namespace }} answers only {{ $value | humanizePercentage }} of lookups (threshold ${t.cacheHitRateMin * 100} %, MON-5).`,
          ),
        ]
      : []),
    ...pair(
      "VolumeUsage",
      `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}})`,
      t.disk,
      "10m",
      "Volume {{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full",
      "Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is {{ $value | humanizePercentage }} full (MON-6).",
    ),
    ...pair(
      "ContainerMemory",
      `(sum by (namespace, pod, container) (container_memory_working_set_bytes{${ns},container!=""}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${ns},resource="memory"}))`,
      t.memory,
      "10m",
      "{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit",
      "Container {{ $labels.container }} of {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit (MON-7).",
    ),
    ...pair(
      "ContainerCPU",
      `(sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m])) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${ns},resource="cpu"}))`,
      t.cpu,
      "15m",
      "{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its CPU limit",
      "Container {{ $labels.container }} of {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its CPU limit (MON-7).",
    ),
    ...(ctx.has.postgres
      ? [
          ...pair(
            "PostgresConnections",
            `postgres:connections_ratio{${ns}}`,
            t.databaseConnections,
            "5m",
            "Postgres uses {{ $value | humanizePercentage }} of max_connections",
            "Postgres in {{ $labels.namespace }} has {{ $value | humanizePercentage }} of max_connections in use (MON-8).",
          ),
          ...pair(
            "PostgresQueryTime",
            `postgres:statement_mean_seconds:rate5m{${ns}}`,
            t.queryTimeSeconds,
            "10m",
            "Postgres statements take {{ $value | humanizeDuration }} on average",
            "The mean statement time in {{ $labels.namespace }} is {{ $value | humanizeDuration }} over 5 minutes; see pg_stat_statements (MON-8).",
          ),
        ]
      : []),
    ...(ctx.has.postgres && ctx.has.postgresInstances > 1
      ? [
          alert(
            "PostgresReplicaMissing",
            "high",
            // The primary counts its streaming replicas (cnpg_pg_replication_streaming_replicas is 0 on replicas).
            `max by (namespace, cluster) (cnpg_pg_replication_streaming_replicas{${ns}}) < ${ctx.has.postgresInstances - 1}`,
            "5m",
            "{{ $labels.cluster }} streams to {{ $value }} replicas",
            `Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} has fewer than the ${ctx.has.postgresInstances - 1} streaming replicas it is configured with: a failover now has less to fail over to (DB-1).`,
          ),
          ...pair(
            "PostgresReplicationLag",
            `max by (namespace, cluster) (cnpg_pg_replication_lag{${ns}})`,
            t.replicationLagSeconds,
            "5m",
            "{{ $labels.cluster }}: a replica is {{ $value | humanizeDuration }} behind",
            "A replica of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} replays WAL {{ $value | humanizeDuration }} behind the primary: a failover now loses that much (DB-1).",
          ),
        ]
      : []),
    ...(ctx.has.postgres && ctx.has.backups
      ? [
          alert(
            "BackupStale",
            "high",
            // 0 while the ObjectStore has no backup of the cluster: a cluster that never completed one is stale too.
            `time() - ${barman("last_available_backup_timestamp")} > ${t.backupMaxAgeHours * 3600}`,
            "30m",
            "The newest base backup of {{ $labels.cluster }} is {{ $value | humanizeDuration }} old",
            `No successful base backup of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} for more than ${t.backupMaxAgeHours} h (BAK-1, BAK-8).`,
          ),
          alert(
            "BackupFailed",
            "high",
            `${barman("last_failed_backup_timestamp")} > ${barman("last_available_backup_timestamp")}`,
            "5m",
            "The last base backup of {{ $labels.cluster }} failed",
            "The most recent base backup of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} failed after the last good one (BAK-8).",
          ),
          alert(
            "BackupMetricsAbsent",
            "warning",
            `absent(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${ns}})`,
            "30m",
            "No backup metrics from the barman-cloud plugin",
            "Prometheus has no backup metrics of the barman-cloud plugin from {{ $labels.namespace }}: BackupStale and BackupFailed cannot fire (BAK-8).",
          ),
          alert(
            "WALArchivingFailing",
            "critical",
            `max by (namespace, cluster) (cnpg_pg_stat_archiver_last_failed_time{${ns}} - cnpg_pg_stat_archiver_last_archived_time{${ns}}) > 0`,
            "5m",
            "WAL archiving of {{ $labels.cluster }} fails",
            "The last attempt to archive a WAL file of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} failed after the last success: point-in-time recovery stops advancing, and unarchived WAL fills the volume (BAK-2, BAK-5).",
          ),
          alert(
            "WALArchivingBehind",
            "warning",
            `max by (namespace, cluster) (cnpg_collector_pg_wal_archive_status{${ns},value="ready"}) > ${t.walArchiveBacklog}`,
            "10m",
            "{{ $value }} WAL files of {{ $labels.cluster }} wait to be archived",
            `More than ${t.walArchiveBacklog} WAL files of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} are ready but not archived: archiving falls behind the writes (BAK-2).`,
          ),
          alert(
            "RestoreCheckStale",
            "high",
            staleCronJob(JOB_NAMES.restoreCheck, t.restoreCheckMaxAgeHours),
            "30m",
            "No successful restore check for {{ $value | humanizeDuration }}",
            `The restore-check job in {{ $labels.namespace }} has not succeeded for more than ${t.restoreCheckMaxAgeHours} h (BAK-4, BAK-8).`,
          ),
          alert(
            "RestoreCheckFailed",
            "high",
            failedJobs(JOB_NAMES.restoreCheck),
            "5m",
            "Restore check {{ $labels.job_name }} failed",
            "A restore of the newest backup into a scratch database failed its checks in {{ $labels.namespace }} (BAK-4).",
          ),
        ]
      : []),
    ...(ctx.has.postgres && ctx.has.backups && ctx.has.preReleaseBackup
      ? [
          alert(
            "PreReleaseBackupFailed",
            "critical",
            failedJobs(PRE_RELEASE_PREFIX),
            "1m",
            "Pre-release backup {{ $labels.job_name }} failed: the release is stopped",
            "The base backup {{ $labels.job_name }} taken before a release in {{ $labels.namespace }} failed, so the release's migration and rollout did not start (BAK-6, REL-8).",
          ),
        ]
      : []),
    ...(ctx.has.postgres && ctx.has.backups && ctx.has.drill
      ? [
          alert(
            "RestoreDrillFailed",
            "high",
            `max by (namespace, cluster) (${DRILL_METRICS.success}{${ns}}) == 0 or ${failedJobs(JOB_NAMES.restoreDrill)}`,
            "5m",
            "The restore drill of {{ $labels.namespace }} failed",
            "The last physical restore drill in {{ $labels.namespace }} could not recover a scratch cluster from the backups to its target time, or its checks failed (BAK-4, BAK-5, BAK-8).",
          ),
          alert(
            "RestoreDrillStale",
            "high",
            staleCronJob(JOB_NAMES.restoreDrill, t.restoreDrillMaxAgeHours),
            "30m",
            "No successful restore drill for {{ $value | humanizeDuration }}",
            `The physical restore drill in {{ $labels.namespace }} has not succeeded for more than ${t.restoreDrillMaxAgeHours} h (BAK-8: restore tested weekly).`,
          ),
        ]
      : []),
    alert(
      "PodRestarting",
      "high",
      `increase(kube_pod_container_status_restarts_total{${ns}}[5m]) > ${t.podRestarts}`,
      "1m",
      "{{ $labels.pod }}/{{ $labels.container }} restarted {{ $value | humanize }} times in 5 minutes",
      `Container {{ $labels.container }} of {{ $labels.pod }} restarted more than ${t.podRestarts} times in 5 minutes (MON-9).`,
    ),
    ...(ctx.has.redisQueue
      ? [
          alert(
            "QueueBacklog",
            "warning",
            `sum by (namespace) (redis_key_size{${ns},app="redis-queue",key=~".*:wait"}) > ${t.queueWaiting}`,
            "10m",
            "{{ $value | humanize }} jobs waiting",
            `More than ${t.queueWaiting} jobs have waited in the queue of {{ $labels.namespace }} for 10 minutes: are the workers up (MON-11)?`,
          ),
          alert(
            "QueueFailedJobs",
            "warning",
            `sum by (namespace) (redis_key_size{${ns},app="redis-queue",key=~".*:failed"}) > ${t.queueFailed}`,
            "5m",
            "{{ $value | humanize }} failed jobs",
            `More than ${t.queueFailed} failed jobs in the queue of {{ $labels.namespace }} (MON-11, DB-3).`,
          ),
        ]
      : []),
    ...(ctx.has.certificate
      ? (["warning", "critical"] as const).map((severity) =>
          alert(
            "CertificateExpiry",
            severity,
            // cert-manager's metrics carry the Certificate's namespace: its ServiceMonitor keeps them (honorLabels).
            `(min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds{${ns}}) - time()) / 86400 < ${t.certificateExpiryDays[severity]}`,
            "1h",
            "Certificate {{ $labels.name }} expires in {{ $value | humanize }} days",
            "The TLS certificate {{ $labels.name }} in {{ $labels.namespace }} has not been renewed (MON-12, EDGE-3).",
          ),
        )
      : []),
    ...(ctx.has.edge
      ? [
          alert(
            "UptimeProbeFailed",
            "critical",
            `probe_success{${ns},probe="uptime"} == 0`,
            secondsToDuration((monitoring.uptime.failures - 1) * durationSeconds(monitoring.uptime.interval)),
            "The public health check fails",
            `{{ $labels.instance }} failed ${monitoring.uptime.failures} checks in a row (MON-2).`,
          ),
        ]
      : []),
    ...(ctx.has.quota
      ? pair(
          "CapacityQuota",
          `max by (namespace, resource) (kube_resourcequota{${ns},type="used"} / ignoring (type) kube_resourcequota{${ns},type="hard"})`,
          t.capacity,
          "15m",
          "{{ $labels.resource }} at {{ $value | humanizePercentage }} of the namespace quota",
          "The stack uses {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota in {{ $labels.namespace }}: plan capacity before the next release (CAP-4).",
        )
      : []),
    alert(
      "MetricsTargetDown",
      "warning",
      `up{${ns}} == 0`,
      "5m",
      "{{ $labels.job }} on {{ $labels.pod }} cannot be scraped",
      "Prometheus cannot scrape {{ $labels.pod }} ({{ $labels.job }}) in {{ $labels.namespace }} (MON-16).",
    ),
  ];

  return [
    { name: "mcp-platform.recording", interval: "30s", rules: recording },
    { name: "mcp-platform.alerts", rules: alerts },
  ];
}

/** Seconds in a Prometheus duration such as "1m" or "10s". */
export function durationSeconds(duration: string): number {
  const match = /^(\d+)([smhd])$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "s" | "m" | "h" | "d"];
}

function secondsToDuration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
