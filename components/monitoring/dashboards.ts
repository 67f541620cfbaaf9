/**
 * Grafana dashboards (MON-13), generated rather than pasted: one overview per stack with each part's
 * panels (its monitoring.ts, through its public face: request rate, error rate, latency, database
 * connections, cache hit rate, queue depth) and the stack's CPU and memory. The Prometheus
 * datasource is a dashboard variable. Pure.
 */
import { backupPanels } from "../backup/public";
import { postgresPanels } from "../postgres/public";
import { redisPanels } from "../redis/public";
import { servicePanels } from "../service/public";
import type { DashboardContext, Panel } from "./rule-kit";

/** Every part's panels, in the dashboard's order. */
const PARTS: readonly ((ctx: DashboardContext) => Panel[])[] = [servicePanels, stackPanels, postgresPanels, backupPanels, redisPanels];

/** CPU and memory of every container of the stack, as shares of their limits. */
function stackPanels({ namespace }: DashboardContext): Panel[] {
  const ns = `namespace="${namespace}"`;
  return [
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
  ];
}

export function overviewPanels(ctx: DashboardContext): Panel[] {
  return PARTS.flatMap((part) => part(ctx));
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
