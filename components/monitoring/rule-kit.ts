/**
 * What every part's alert rules and dashboard panels are made with: the rule and panel types, severities and priorities (MON-15),
 * and a kit bound to the stack (its namespace selector, thresholds, metric names, runbook links)
 * with the shapes the runbooks' alerts take: one alert, a warning and critical pair, a CronJob
 * gone stale, failed Jobs, request and error rates. Pure. Parts reach it through monitoring/public.ts.
 */
import type { MonitoringConfig, PlatformConfig } from "../../config";
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

/** What one part of the stack adds to the PrometheusRule. */
export interface PartRules {
  recording?: RecordingRule[];
  alerts: AlertingRule[];
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

/** The anchor of an alert's section in docs/runbook.md ("### Alert: AppErrorRate"). */
export const runbookAnchor = (alert: string) => `alert-${alert.toLowerCase()}`;

export type RuleKit = ReturnType<typeof ruleKit>;

export function ruleKit(monitoring: MonitoringConfig, ctx: RulesContext) {
  const ns = `namespace="${ctx.namespace}"`;
  const m = monitoring.metrics;
  const alert = (name: string, severity: Severity, expr: string, duration: string, summary: string, description: string): AlertingRule => ({
    alert: name,
    expr,
    for: duration,
    labels: { severity, priority: PRIORITY[severity] },
    annotations: { summary, description, runbook_url: templateLiteral(`${ctx.runbookUrl}#${runbookAnchor(name)}`) },
  });
  return {
    /** The selector of the stack's namespace, for every series. */
    ns,
    monitoring,
    has: ctx.has,
    tenants: ctx.tenants,
    thresholds: monitoring.thresholds,
    alert,
    /** A warning and a critical alert on the same expression, above two thresholds (and `guard`, if given). */
    pair: (name: string, expr: string, limits: { warning: number; critical: number }, duration: string, summary: string, description: string, guard = "") =>
      (["warning", "critical"] as const).map((severity) => alert(name, severity, `${expr} > ${limits[severity]}${guard}`, duration, summary, description)),
    /**
     * A CronJob's last success is too old, or it never succeeded since it was created that long ago:
     * kube-state-metrics has no last-success series for a CronJob that never succeeded.
     */
    staleCronJob: (cronJob: string, maxAgeHours: number) => {
      const job = `${ns},cronjob="${cronJob}"`;
      const seconds = maxAgeHours * 3600;
      return (
        `time() - max by (namespace) (kube_cronjob_status_last_successful_time{${job}}) > ${seconds}` +
        ` or (time() - max by (namespace) (kube_cronjob_created{${job}}) > ${seconds} unless on (namespace) kube_cronjob_status_last_successful_time{${job}})`
      );
    },
    /**
     * Any failed Job of a CronJob (or named with a prefix), by Job name: its Failed condition (retries
     * used up, or its deadline passed). Not its failed pods (kube_job_status_failed): a retry that
     * succeeds leaves them counted.
     */
    failedJobs: (prefix: string) => `max by (namespace, job_name) (kube_job_failed{${ns},job_name=~"${prefix}-.*",condition="true"}) > 0`,
    /**
     * `<level>:http_requests:rate5m`, `<level>:http_errors:rate5m` and `<level>:http_error_ratio:rate5m`:
     * the app's requests and errors (monitoring.metrics) over 5 minutes summed by `by`, with an extra
     * selector, and their ratio.
     */
    errorRatioRules: (level: string, by: string, selector: string): RecordingRule[] => [
      { record: `${level}:http_requests:rate5m`, expr: `sum by (${by}) (rate(${m.requests}{${ns}${selector}}[5m]))` },
      { record: `${level}:http_errors:rate5m`, expr: `sum by (${by}) (rate(${m.requests}{${ns}${selector},${m.statusLabel}=~${promqlString(m.errorStatus)}}[5m]))` },
      { record: `${level}:http_error_ratio:rate5m`, expr: `${level}:http_errors:rate5m / ${level}:http_requests:rate5m` },
    ],
  };
}

/** Seconds in a Prometheus duration such as "1m" or "10s". */
export function durationSeconds(duration: string): number {
  const match = /^(\d+)([smhd])$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "s" | "m" | "h" | "d"];
}

export function secondsToDuration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

export interface DashboardContext {
  namespace: string;
  has: { postgres: boolean; redisCache: boolean; redisQueue: boolean; drill: boolean };
}

export interface Panel {
  title: string;
  unit: string;
  /** PromQL, one per series; `$namespace` is the stack's namespace. */
  targets: { expr: string; legend: string }[];
}
