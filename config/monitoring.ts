/**
 * Configuration of how the stack is monitored: the monitoring stack, the runbooks' alert thresholds
 * (every number of MON-1..16, CAP-2, CAP-4, BAK-8 is a setting with the runbook's value as default),
 * the uptime probe and where alerts go.
 */
import { z } from "zod";
import { ContainerResourcesSchema, DNS_LABEL, ImageSchema, prometheusDuration, requestPath, volumeSize } from "./primitives";
import { DNS1123_LABEL_MAX } from "./limits";

const ratio = z.number().gt(0).lt(1);
const seconds = z.number().positive();
const duration = prometheusDuration;

/** Prometheus's metric and label names as PromQL reads them unquoted (https://prometheus.io/docs/concepts/data_model/). */
const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*: no quotes, spaces or braces)");
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");

/**
 * A regular expression Prometheus compiles (Go's RE2): one JavaScript compiles too, without the
 * lookarounds and back-references RE2 lacks. The rules quote it as a PromQL string, so any character may appear.
 */
const re2Pattern = z
  .string()
  .min(1)
  .refine((pattern) => {
    if (/\\[1-9]|\(\?<?[=!]/.test(pattern)) return false;
    try {
      new RegExp(pattern);
      return true;
    } catch {
      return false;
    }
  }, "a regular expression (RE2: no lookarounds or back-references), such as \"5..\"");

/** A warning and a critical threshold; the critical one must be the stricter. */
const Pair = (warning: number, critical: number, schema: z.ZodNumber, what: string) =>
  z
    .strictObject({
      warning: schema.default(warning).describe(`Warning above this ${what}.`),
      critical: schema.default(critical).describe(`Critical above this ${what}.`),
    })
    .refine((p) => p.critical > p.warning, { message: "critical must be above warning", path: ["critical"] });

export const ThresholdsSchema = z
  .strictObject({
    errorRate: Pair(0.01, 0.05, ratio, "share of 5xx responses").prefault({}).describe("HTTP error rate (MON-3)."),
    latencyP95Seconds: Pair(0.3, 0.5, seconds, "95th percentile response time, in seconds")
      .prefault({})
      .describe("p95 latency (MON-4): 300/500 ms by default (the stricter runbook); the other runbook's 2 s / 5 s fit a stack that needs them."),
    latencyP95Baseline: z
      .strictObject({
        warning: z.number().gt(1).default(1.5).describe("Warning when p95 is more than this many times its baseline."),
        critical: z.number().gt(1).default(2).describe("Critical when p95 is more than this many times its baseline."),
        offset: duration
          .default("1d")
          .describe('The baseline: the p95 this long ago ("1d": the same time yesterday, "7d": last week), so daily traffic patterns compare like with like.'),
      })
      .refine((p) => p.critical > p.warning, { message: "critical must be above warning", path: ["critical"] })
      .optional()
      .describe(
        "p95 latency against its own baseline (MON-4: after a deploy, 1.5x baseline means watch, 2x means roll back). Omit for no baseline alert; the absolute latencyP95Seconds alert stays.",
      ),
    cacheHitRateMin: ratio.default(0.5).describe("Warning when the Redis cache's hit rate falls below this (MON-5)."),
    disk: Pair(0.75, 0.85, ratio, "share of a volume in use").prefault({}).describe("Volume usage (MON-6)."),
    memory: Pair(0.8, 0.9, ratio, "share of the memory limit").prefault({}).describe("Container memory (MON-7)."),
    cpu: Pair(0.7, 0.9, ratio, "share of the CPU limit").prefault({}).describe("Container CPU (MON-7, CAP-2)."),
    databaseConnections: Pair(0.75, 0.9, ratio, "share of max_connections").prefault({}).describe("Postgres connections (MON-8)."),
    queryTimeSeconds: Pair(0.1, 0.2, seconds, "mean statement time, in seconds").prefault({}).describe("Postgres query time (MON-8)."),
    podRestarts: z.int().min(1).default(3).describe("Critical when a container restarts more than this many times in 5 minutes (MON-9)."),
    queueWaiting: z.int().min(1).default(100).describe("Warning when more jobs than this wait in the queue for 10 minutes (MON-11)."),
    queueFailed: z.int().min(1).default(10).describe("Warning when more jobs than this have failed (MON-11)."),
    certificateExpiryDays: z
      .strictObject({
        warning: z.int().min(1).default(21).describe("Warning with fewer days than this left."),
        critical: z.int().min(1).default(7).describe("Critical with fewer days than this left."),
      })
      .refine((p) => p.critical < p.warning, { message: "critical must be fewer days than warning", path: ["critical"] })
      .prefault({})
      .describe("Certificate expiry (MON-12)."),
    backupMaxAgeHours: z.int().min(1).default(26).describe("Alert when the newest successful backup is older than this (BAK-1, BAK-8: daily)."),
    restoreCheckMaxAgeHours: z
      .int()
      .min(1)
      .default(30)
      .describe("Alert when the newest successful restore check of the logical backup is older than this (it runs daily; BAK-4, BAK-8)."),
    restoreDrillMaxAgeHours: z
      .int()
      .min(1)
      .default(192)
      .describe("Alert when the newest successful physical restore drill is older than this (BAK-8: restore tested weekly, plus a day)."),
    walArchiveBacklog: z
      .int()
      .min(1)
      .default(10)
      .describe("Warning when more WAL files than this wait to be archived for 10 minutes: archiving falls behind (BAK-2)."),
    replicationLagSeconds: Pair(30, 120, seconds, "replication lag of a Postgres replica, in seconds")
      .prefault({})
      .describe("Replication lag of Postgres replicas (DB-1), for clusters of more than one instance. Not a runbook figure: what a failover may lose."),
    colorMinRequestRate: z
      .number()
      .min(0)
      .default(0.05)
      .describe("Requests per second a blue-green colour must serve before its own error-rate and latency alerts judge it (a canary's first few requests prove nothing)."),
    capacity: Pair(0.8, 0.9, ratio, "share of the namespace quota in use").prefault({}).describe("Capacity against the namespace quota (CAP-4)."),
  })
  .describe("Alert thresholds. Ratios are fractions (0.05 = 5 %).");

export const MonitoringSchema = z
  .strictObject({
    namespace: z
      .string()
      .max(DNS1123_LABEL_MAX)
      .regex(DNS_LABEL, "a lowercase DNS label")
      .default("monitoring")
      .describe("Namespace of the monitoring stack; the network policies let its Prometheus reach every metrics port (MON-16)."),
    stack: z
      .strictObject({
        install: z
          .boolean()
          .default(true)
          .describe("Install kube-prometheus-stack and the blackbox exporter with this stack; false where another stack on the cluster owns them."),
        version: z.string().default("66.3.1").describe("kube-prometheus-stack chart version."),
        blackboxVersion: z.string().default("9.1.0").describe("prometheus-blackbox-exporter chart version."),
        retention: duration.default("15d").describe("How long Prometheus keeps samples."),
        storage: volumeSize.default("50Gi").describe("Prometheus volume size."),
        resources: ContainerResourcesSchema({ cpu: "500m", memory: "2Gi" }, { cpu: "2", memory: "4Gi" })
          .prefault({})
          .describe("Prometheus's requests and limits."),
      })
      .prefault({})
      .describe("The monitoring stack: Prometheus operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, node-exporter."),
    runbookUrl: z
      .url()
      .default("https://github.com/mcp-platform/mcp-platform/blob/main/docs/runbook.md")
      .describe("Where operators read docs/runbook.md; every alert's runbook_url points to its section there."),
    metrics: z
      .strictObject({
        requests: metricName.default("http_requests_total").describe("Counter of HTTP requests the services expose."),
        duration: metricName.default("http_request_duration_seconds").describe("Histogram of HTTP request durations (without _bucket)."),
        statusLabel: labelName.default("status").describe("Label of the requests counter holding the status code."),
        errorStatus: re2Pattern.default("5..").describe("Regular expression (RE2, anchored) of the status values that count as errors."),
        tenantLabel: labelName
          .default("tenant")
          .describe("Label of the requests counter holding the tenant id, for the per-tenant error alert (TenantErrorRate) of a stack with mcp-platform:tenants. An app without such a label leaves that alert silent."),
      })
      .prefault({})
      .describe("Names of the application metrics the alerts and dashboards read."),
    thresholds: ThresholdsSchema.prefault({}),
    uptime: z
      .strictObject({
        paths: z
          .array(requestPath)
          .min(1)
          .default(["/health/ready"])
          .describe("Paths probed on the edge's hostname, each a target of its own that must answer 2xx (MON-2): the readiness of every public service, say."),
        interval: duration.default("1m").describe("How often (MON-2: every minute)."),
        timeout: duration.default("10s").describe("Probe timeout (MON-2: 10 s)."),
        failures: z.int().min(1).default(3).describe("Consecutive failures before the alert (MON-2: 3)."),
        prober: z
          .string()
          .default("prometheus-blackbox-exporter.monitoring.svc:9115")
          .describe("host:port of the blackbox exporter; run it outside the cluster for a truly external check."),
      })
      .prefault({})
      .describe("The external uptime probe of the public /health/ready, or of the paths listed (MON-2)."),
    logs: z
      .strictObject({
        enabled: z.boolean().default(false).describe("Collect every pod's logs into Loki (promtail), searchable by request id (MON-14), with log alerts (MON-10)."),
        lokiVersion: z.string().default("6.24.0").describe("grafana/loki chart version."),
        promtailVersion: z.string().default("6.16.6").describe("grafana/promtail chart version."),
        retention: duration.default("168h").describe("How long logs are kept."),
        levelField: z.string().regex(/^\w+$/).default("level").describe("JSON field of a log line that holds its level."),
        errorsPerFiveMinutes: z.int().min(1).default(20).describe("Warning when an app logs more ERROR or CRITICAL lines than this in 5 minutes (MON-10)."),
        errorCodes: z
          .array(
            z
              .string()
              .min(3)
              .max(100)
              .regex(/^[^"\\\n]+$/, 'an error code or phrase as the logs spell it, without quotes, backslashes or line breaks, such as AUTH_FAILED or "authentication failed"'),
          )
          .default(["AUTH_FAILED"])
          .describe(
            'Error codes or phrases to alert on, matched exactly (case included) anywhere in a log line (MON-10: AUTH_FAILED for failed logins, ORDERDESK_ERROR, "authentication failed", ...).',
          ),
        errorCodesPerFiveMinutes: z.int().min(1).default(10).describe("Warning when a named error code appears more often than this in 5 minutes."),
      })
      .prefault({})
      .describe("Log aggregation (Loki) and log-based alerts."),
    pushgateway: z
      .strictObject({
        image: ImageSchema.default({ repository: "prom/pushgateway", tag: "v1.10.0", digest: "sha256:7a4d0696a24ef4e8bad62bee5656855a0aff2f26416d8cb32009dc28d6263604" }).describe(
          "The Prometheus Pushgateway image.",
        ),
      })
      .prefault({})
      .describe("The stack's Pushgateway, where the restore drill leaves its results (runs when backups.drill is enabled)."),
    tracing: z
      .strictObject({
        enabled: z.boolean().default(false).describe("Run Tempo and point the services' OpenTelemetry exporters at it (MON-14)."),
        tempoVersion: z.string().default("1.18.1").describe("grafana/tempo chart version."),
      })
      .prefault({})
      .describe("Distributed tracing (Tempo, OTLP)."),
    alerting: z
      .strictObject({
        receiversSecret: z
          .string()
          .regex(DNS_LABEL)
          .default("alert-receivers")
          .describe(
            "Secret in the monitoring namespace holding the receivers' keys (pagerduty-routing-key, slack-webhook-url, smtp-password); Alertmanager reads them as files, so they never pass through Pulumi.",
          ),
        pagerduty: z.boolean().default(true).describe("Page PagerDuty for critical alerts (MON-15: P0)."),
        slackChannel: z.string().regex(/^#[\w-]+$/).default("#incidents").describe("Slack channel for every alert of priority P0 to P2 (MON-15)."),
        email: z
          .strictObject({
            to: z.email().describe("Recipient of the secondary e-mail channel."),
            from: z.email().describe("Sender of alert e-mails."),
            smarthost: z.string().regex(/^[\w.-]+:\d+$/, "host:port").describe("SMTP relay."),
            username: z.string().min(1).describe("SMTP user; the password is smtp-password in receiversSecret."),
          })
          .optional()
          .describe("E-mail, the secondary channel: P1 and P3 alerts (MON-15)."),
      })
      .prefault({})
      .describe("Alert routing (MON-15): P0 pages PagerDuty and posts to Slack, P1 and P2 go to Slack, P1 and P3 to e-mail."),
  })
  .describe("Monitoring and alerting of the stack.");

export type MonitoringConfig = z.output<typeof MonitoringSchema>;
export type Thresholds = z.output<typeof ThresholdsSchema>;
