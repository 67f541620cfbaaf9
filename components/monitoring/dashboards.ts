/**
 * Grafana dashboards (MON-13), generated rather than pasted: one overview per stack with request
 * rate, error rate, latency p50/p95/p99, database connections, CPU, memory, cache hit rate and queue
 * depth. The Prometheus datasource is a dashboard variable. Pure.
 */
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

export function overviewPanels(ctx: DashboardContext): Panel[] {
  const ns = `namespace="${ctx.namespace}"`;
  return [
    { title: "Request rate", unit: "reqps", targets: [{ expr: `app:http_requests:rate5m{${ns}}`, legend: "{{app}}" }] },
    { title: "Error rate", unit: "percentunit", targets: [{ expr: `app:http_error_ratio:rate5m{${ns}}`, legend: "{{app}}" }] },
    // A canary or a newly promoted colour beside the stable one (MON-3, MON-4, REL-4).
    {
      title: "Error rate and p95 by colour",
      unit: "percentunit",
      targets: [
        { expr: `app_color:http_error_ratio:rate5m{${ns}}`, legend: "{{app}} {{color}} errors" },
        { expr: `app_color:http_request_duration_seconds:p95_5m{${ns}}`, legend: "{{app}} {{color}} p95 (s)" },
      ],
    },
    {
      title: "Latency",
      unit: "s",
      targets: [50, 95, 99].map((q) => ({ expr: `app:http_request_duration_seconds:p${q}_5m{${ns}}`, legend: `{{app}} p${q}` })),
    },
    {
      title: "CPU (share of limit)",
      unit: "percentunit",
      targets: [
        {
          expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m])) / sum by (pod) (kube_pod_container_resource_limits{${ns},resource="cpu"})`,
          legend: "{{pod}}",
        },
      ],
    },
    {
      title: "Memory (share of limit)",
      unit: "percentunit",
      targets: [
        {
          expr: `sum by (pod) (container_memory_working_set_bytes{${ns},container!=""}) / sum by (pod) (kube_pod_container_resource_limits{${ns},resource="memory"})`,
          legend: "{{pod}}",
        },
      ],
    },
    ...(ctx.has.postgres
      ? [
          { title: "Database connections (share of max_connections)", unit: "percentunit", targets: [{ expr: `postgres:connections_ratio{${ns}}`, legend: "postgres" }] },
          { title: "Mean statement time", unit: "s", targets: [{ expr: `postgres:statement_mean_seconds:rate5m{${ns}}`, legend: "postgres" }] },
        ]
      : []),
    ...(ctx.has.drill
      ? [
          // The restore drill's results as it pushed them: how long a recovery takes, and how recent the data it recovers.
          {
            title: "Restore drill: recovery time and recovered point's age",
            unit: "s",
            targets: [
              { expr: `max by (cluster) (mcp_restore_drill_duration_seconds{${ns}})`, legend: "{{cluster}} recovery" },
              { expr: `max by (cluster) (mcp_restore_drill_recovery_point_age_seconds{${ns}})`, legend: "{{cluster}} recovered point's age" },
            ],
          },
        ]
      : []),
    ...(ctx.has.redisCache ? [{ title: "Cache hit rate", unit: "percentunit", targets: [{ expr: `redis:cache_hit_ratio:rate5m{${ns}}`, legend: "cache" }] }] : []),
    ...(ctx.has.redisQueue
      ? [{ title: "Queue depth", unit: "short", targets: [{ expr: `sum by (key) (redis_key_size{${ns},app="redis-queue"})`, legend: "{{key}}" }] }]
      : []),
  ];
}

/** The Grafana dashboard JSON model. */
export function renderDashboard(ctx: DashboardContext): Record<string, unknown> {
  const datasource = { type: "prometheus", uid: "${datasource}" };
  return {
    uid: `mcp-${ctx.namespace}`.slice(0, 40),
    title: `mcp-platform: ${ctx.namespace}`,
    tags: ["mcp-platform"],
    timezone: "utc",
    schemaVersion: 39,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    templating: { list: [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {} }] },
    panels: overviewPanels(ctx).map((panel, i) => ({
      id: i + 1,
      type: "timeseries",
      title: panel.title,
      datasource,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: panel.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource, expr: t.expr, legendFormat: t.legend })),
    })),
  };
}
