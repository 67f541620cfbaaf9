/**
 * The runbooks' thresholds as Prometheus recording and alerting rules, rendered from config. Pure:
 * the same groups go into the PrometheusRule and through `promtool check rules` / `promtool test rules`.
 *
 * Series carry `namespace` and `app` (the pod's app.kubernetes.io/name, set by the PodMonitors), so
 * every rule is scoped to the stack's namespace and grouped by app.
 */
import type { MonitoringConfig } from "../../config";

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
  has: { postgres: boolean; redisCache: boolean; redisQueue: boolean; edge: boolean; quota: boolean };
}

/** The anchor of an alert's section in docs/runbook.md ("### Alert: AppErrorRate"). */
export const runbookAnchor = (alert: string) => `alert-${alert.toLowerCase()}`;

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
    annotations: { summary, description, runbook_url: `${ctx.runbookUrl}#${runbookAnchor(name)}` },
  });
  /** A warning and a critical alert on the same expression, above two thresholds. */
  const pair = (name: string, expr: string, limits: { warning: number; critical: number }, duration: string, summary: string, description: string) =>
    (["warning", "critical"] as const).map((severity) => alert(name, severity, `${expr} > ${limits[severity]}`, duration, summary, description));

  const recording: RecordingRule[] = [
    { record: "app:http_requests:rate5m", expr: `sum by (namespace, app) (rate(${m.requests}{${ns}}[5m]))` },
    { record: "app:http_errors:rate5m", expr: `sum by (namespace, app) (rate(${m.requests}{${ns},${m.statusLabel}=~"${m.errorStatus}"}[5m]))` },
    { record: "app:http_error_ratio:rate5m", expr: "app:http_errors:rate5m / app:http_requests:rate5m" },
    ...[0.5, 0.95, 0.99].map((q) => ({
      record: `app:http_request_duration_seconds:p${Math.round(q * 100)}_5m`,
      expr: `histogram_quantile(${q}, sum by (namespace, app, le) (rate(${m.duration}_bucket{${ns}}[5m])))`,
    })),
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

  const alerts: AlertingRule[] = [
    ...pair(
      "AppErrorRate",
      `app:http_error_ratio:rate5m{${ns}}`,
      t.errorRate,
      "5m",
      "{{ $labels.app }}: {{ $value | humanizePercentage }} of requests fail",
      "More than the threshold of {{ $labels.app }}'s responses in {{ $labels.namespace }} are errors ({{ $value | humanizePercentage }} over 5 minutes). After a release, roll back (MON-3).",
    ),
    ...pair(
      "AppLatencyP95",
      `app:http_request_duration_seconds:p95_5m{${ns}}`,
      t.latencyP95Seconds,
      "5m",
      "{{ $labels.app }}: p95 response time {{ $value | humanizeDuration }}",
      "The 95th percentile response time of {{ $labels.app }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} (MON-4).",
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
          alert(
            "BackupStale",
            "high",
            `time() - max by (namespace) (cnpg_collector_last_available_backup_timestamp{${ns}}) > ${t.backupMaxAgeHours * 3600}`,
            "30m",
            "The newest Postgres backup is {{ $value | humanizeDuration }} old",
            `No successful base backup in {{ $labels.namespace }} for more than ${t.backupMaxAgeHours} h (BAK-1, BAK-8).`,
          ),
          alert(
            "BackupFailed",
            "high",
            `max by (namespace) (cnpg_collector_last_failed_backup_timestamp{${ns}}) > max by (namespace) (cnpg_collector_last_available_backup_timestamp{${ns}})`,
            "5m",
            "The last Postgres backup failed",
            "The most recent backup attempt in {{ $labels.namespace }} failed after the last good one (BAK-8).",
          ),
          alert(
            "RestoreCheckStale",
            "high",
            `time() - max by (namespace) (kube_cronjob_status_last_successful_time{${ns},cronjob="restore-check"}) > ${t.restoreCheckMaxAgeHours * 3600}`,
            "30m",
            "No successful restore check for {{ $value | humanizeDuration }}",
            `The restore-check job in {{ $labels.namespace }} has not succeeded for more than ${t.restoreCheckMaxAgeHours} h (BAK-4, BAK-8).`,
          ),
          alert(
            "RestoreCheckFailed",
            "high",
            `max by (namespace, job_name) (kube_job_status_failed{${ns},job_name=~"restore-check-.*"}) > 0`,
            "5m",
            "Restore check {{ $labels.job_name }} failed",
            "A restore of the newest backup into a scratch database failed its checks in {{ $labels.namespace }} (BAK-4).",
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
    ...(ctx.has.edge
      ? [
          ...(["warning", "critical"] as const).map((severity) =>
            alert(
              "CertificateExpiry",
              severity,
              `(min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds{${ns}}) - time()) / 86400 < ${t.certificateExpiryDays[severity]}`,
              "1h",
              "Certificate {{ $labels.name }} expires in {{ $value | humanize }} days",
              "The TLS certificate {{ $labels.name }} in {{ $labels.namespace }} has not been renewed (MON-12, EDGE-3).",
            ),
          ),
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
