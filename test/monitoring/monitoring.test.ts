/** Monitoring objects: pure render and wiring in both stacks. */
import * as fs from "fs";
import * as path from "path";
import { runbookAnchor, type AlertingRule } from "../../components/monitoring/public";
import { EXAMPLE_FILES, objects, PROJECT_DIR, render, renderExample, STACKS, type K8sObject } from "../harness";
import type { Plan } from "../../tools/render-stack";

const plans = new Map<string, Plan>();
beforeAll(async () => {
  for (const stack of STACKS) plans.set(stack, await render(stack));
});

describe.each(STACKS)("monitoring of the %s stack", (stack) => {
  const o = () => objects(plans.get(stack)!);

  it("scrapes every metrics endpoint with a PodMonitor that labels series by app (MON-16)", () => {
    const monitors = [...o().values()].filter((x) => x.kind === "PodMonitor");
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(["api", "edge", "postgres", "postgres-pooler", "pushgateway", "redis-cache", "redis-queue", "worker"]);
    const api = o().get("PodMonitor/api") as K8sObject;
    expect(api.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": `api-${stack}`, "app.kubernetes.io/component": "server" });
    expect(api.spec.podMetricsEndpoints[0]).toMatchObject({ port: "http", path: "/metrics" });
    expect((o().get("PodMonitor/worker") as K8sObject).spec.podMetricsEndpoints[0].port).toBe("metrics");
  });

  it("probes the public /health/ready every minute with a 10 s timeout (MON-2)", () => {
    expect((o().get("Probe/uptime") as K8sObject).spec).toMatchObject({
      interval: "1m",
      scrapeTimeout: "10s",
      module: "http_2xx",
      targets: { staticConfig: { static: [`https://${stack === "production" ? "" : "staging."}mcp.example.com/health/ready`] } },
    });
  });

  it("probes each of several paths as a target of its own", async () => {
    const plan = await render(stack, (v) => (v["mcp-platform:monitoring"] = { ...(v["mcp-platform:monitoring"] as object), uptime: { paths: ["/health/ready", "/api/health"] } }));
    expect((objects(plan).get("Probe/uptime") as K8sObject).spec.targets.staticConfig.static).toEqual([
      `https://${stack === "production" ? "" : "staging."}mcp.example.com/health/ready`,
      `https://${stack === "production" ? "" : "staging."}mcp.example.com/api/health`,
    ]);
  });

  it("gives every alert a priority, a summary, a description, a runbook link and a for duration (MON-15)", () => {
    const rule = o().get("PrometheusRule/mcp-platform") as K8sObject;
    const alerts = rule.spec.groups.flatMap((g: { rules: object[] }) => g.rules).filter((r: object) => "alert" in r) as AlertingRule[];
    expect(alerts.length).toBeGreaterThanOrEqual(25);
    for (const a of alerts) {
      expect(a.labels.priority).toMatch(/^P[0-3]$/);
      expect(a.for).toMatch(/^\d+[smh]$/);
      expect(a.annotations.summary.length).toBeGreaterThan(10);
      expect(a.annotations.description.length).toBeGreaterThan(10);
      expect(a.annotations.runbook_url).toMatch(/docs\/runbook\.md#alert-[a-z0-9]+$/);
    }
  });

  it("hands Grafana a generated dashboard with the datasource as a variable (MON-13)", () => {
    const dashboard = JSON.parse((o().get("ConfigMap/dashboard-overview") as K8sObject).data["mcp-platform-overview.json"]);
    expect(dashboard.templating.list[0]).toMatchObject({ name: "datasource", type: "datasource" });
    expect(dashboard.panels.map((p: { title: string }) => p.title)).toEqual([
      "Request rate",
      "Error rate",
      "Error rate and p95 by colour",
      "Latency",
      "CPU (share of limit)",
      "Memory (share of limit)",
      "Database connections (share of max_connections)",
      "Mean statement time",
      "Restore drill: recovery time and recovered point's age",
      "Cache hit rate",
      "Queue depth",
    ]);
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe("${datasource}");
  });

  it("installs kube-prometheus-stack before the monitors, selecting every rule and monitor", () => {
    const p = plans.get(stack)!;
    const release = p.resources.find((r) => r.name === "monitoring-stack-kube-prometheus-stack")!;
    const values = release.inputs.values as { prometheus: { prometheusSpec: Record<string, unknown> } };
    expect(values.prometheus.prometheusSpec).toMatchObject({ ruleSelectorNilUsesHelmValues: false, podMonitorSelectorNilUsesHelmValues: false, probeSelectorNilUsesHelmValues: false });
    const monitoring = p.resources.find((r) => r.type === "mcp-platform:monitoring:Monitoring")!;
    expect(monitoring.options.dependsOn).toContain(release.urn);
  });
});

describe("monitoring settings", () => {
  it("are skipped for a shared cluster's monitoring stack, keeping the stack's own monitors", async () => {
    const plan = await render("staging", (v) => (v["mcp-platform:monitoring"] = { stack: { install: false } }));
    expect(plan.resources.some((r) => r.type === "mcp-platform:monitoring:MonitoringStack")).toBe(false);
    expect(objects(plan).has("PrometheusRule/mcp-platform")).toBe(true);
  });

  it("alert on p95 against its baseline only when latencyP95Baseline is set (MON-4)", async () => {
    const regression = (plan: Plan) =>
      ((objects(plan).get("PrometheusRule/mcp-platform") as K8sObject).spec.groups[1].rules as AlertingRule[]).filter((r) => r.alert === "AppLatencyRegression");
    expect(regression(plans.get("production")!)).toEqual([]);
    const plan = await render("staging", (v) => (v["mcp-platform:monitoring"] = { thresholds: { latencyP95Baseline: { offset: "7d" } } }));
    expect(regression(plan).map((r) => [r.labels.severity, r.expr])).toEqual([
      ["warning", 'app:http_request_duration_seconds:p95_5m{namespace="mcp-staging"} / app:http_request_duration_seconds:p95_5m{namespace="mcp-staging"} offset 7d > 1.5'],
      ["critical", 'app:http_request_duration_seconds:p95_5m{namespace="mcp-staging"} / app:http_request_duration_seconds:p95_5m{namespace="mcp-staging"} offset 7d > 2'],
    ]);
  });

  it("differ between the stacks only through the stack files", () => {
    const threshold = (stack: string) =>
      ((objects(plans.get(stack)!).get("PrometheusRule/mcp-platform") as K8sObject).spec.groups[1].rules as AlertingRule[]).find(
        (r) => r.alert === "AppLatencyP95" && r.labels.severity === "critical",
      )!.expr;
    expect(threshold("staging")).toMatch(/ > 5$/);
    expect(threshold("production")).toMatch(/ > 0\.5$/);
  });
});

describe("docs/runbook.md", () => {
  it.each(["production", ...EXAMPLE_FILES])("has a section for every alert of %s, where its runbook_url points", async (target) => {
    const runbook = fs.readFileSync(path.join(PROJECT_DIR, "docs", "runbook.md"), "utf8");
    const sections = new Set([...runbook.matchAll(/^### Alert: (\w+)$/gm)].map((m) => runbookAnchor(m[1])));
    const plan = target === "production" ? plans.get(target)! : await renderExample(target);
    const rule = objects(plan).get("PrometheusRule/mcp-platform") as K8sObject;
    const links = rule.spec.groups[1].rules.map((r: AlertingRule) => r.annotations.runbook_url.split("#")[1]);
    expect([...new Set(links)].filter((anchor) => !sections.has(anchor as string))).toEqual([]);
  });
});
