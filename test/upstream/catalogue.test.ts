/**
 * Every stack and example against upstream facts (../shared/upstream): each metric its alerts,
 * recording rules and dashboards read is exposed by an exporter at the version the stack pins (or
 * recorded by the stack itself), with the labels it is read by; each value passed to a Helm chart
 * is a key that chart accepts at its pinned version.
 */
import * as path from "path";
import { parsePlatformConfig, rawPlatformConfig, type PlatformConfig } from "../../config";
import { loadStackConfig } from "../../tools/stack-config";
import type { Plan } from "../../tools/render-stack";
import { EXAMPLE_FILES, EXAMPLES_DIR, objects, PROJECT_DIR, render, renderExample, STACKS } from "../harness";
import { chartFacts, MissingFact, upstreamAvailable } from "./facts";
import { schemaErrors, unknownKeys } from "./chart-values";
import { problemsOf, producersOf, readsOf } from "./metric-reads";
import { cataloguesOf, chartsOf } from "./pins";
import { drillMetrics } from "./drill-metrics";


const describeWithFacts = upstreamAvailable() ? describe : describe.skip;

function configOf(stack: string, configFile?: string): PlatformConfig {
  const parsed = parsePlatformConfig(rawPlatformConfig(loadStackConfig(PROJECT_DIR, stack, configFile).config));
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return parsed.config;
}

const TARGETS: { label: string; config: () => PlatformConfig; plan: () => Promise<Plan> }[] = [
  ...STACKS.map((stack) => ({ label: `stack ${stack}`, config: () => configOf(stack), plan: () => render(stack) })),
  ...EXAMPLE_FILES.map((file) => ({ label: `examples/${file}`, config: () => configOf("production", path.join(EXAMPLES_DIR, file)), plan: () => renderExample(file) })),
];

/** The Helm releases of a plan with the facts of their charts; a chart without facts is a problem of its own. */
function releaseProblems(plan: Plan): string[] {
  return plan.resources
    .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
    .flatMap((r) => {
      const { chart, version, values } = r.inputs as { chart: string; version: string; values?: Record<string, unknown> };
      try {
        const facts = chartFacts(chart, version);
        return [
          ...unknownKeys(values ?? {}, facts).map((key) => `release ${r.name} (${chart} ${version}): values key ${key} is not a key of the chart`),
          ...schemaErrors(values ?? {}, facts).map((error) => `release ${r.name} (${chart} ${version}): values.schema.json: ${error}`),
        ];
      } catch (error) {
        if (error instanceof MissingFact) return [`release ${r.name}: ${error.message}`];
        throw error;
      }
    });
}

describeWithFacts("upstream facts", () => {
  describe.each(TARGETS)("$label", ({ config, plan }) => {
    it("reads only metrics its pinned exporters expose or its own rules record, by labels they carry", async () => {
      const all = objects(await plan());
      const producers = producersOf(config(), all, drillMetrics());
      const reads = readsOf(all);
      expect(reads.length).toBeGreaterThan(20);
      expect(reads.flatMap((read) => problemsOf(read, producers))).toEqual([]);
    });

    it("passes each Helm chart only values keys the chart has at its pinned version", async () => {
      const p = await plan();
      expect(releaseProblems(p)).toEqual([]);
      // Every chart the stack installs has facts (a release the plan lacks would hide here).
      expect(p.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => (r.inputs as { chart: string }).chart).sort()).toEqual(
        chartsOf(config()).map((c) => c.chart).sort(),
      );
    });
  });

  describe("the checks can fail", () => {
    it("names the rule and the metric when an alert reads a name no exporter exposes", async () => {
      const all = objects(await render("production"));
      const rule = all.get("PrometheusRule/mcp-platform")!;
      const alert = rule.spec.groups[1].rules.find((r: { alert?: string }) => r.alert === "BackupStale");
      alert.expr = alert.expr.replace("barman_cloud_cloudnative_pg_io_last_available_backup_timestamp", "cnpg_collector_last_available_backup_timestamp");
      const problems = readsOf(all).flatMap((read) => problemsOf(read, producersOf(configOf("production"), all, drillMetrics())));
      expect(problems).toEqual([
        expect.stringMatching(/^PrometheusRule\/mcp-platform BackupStale: reads cnpg_collector_last_available_backup_timestamp \(cloudnative-pg@1\.30\.0\), deprecated: not set for backups taken through a CNPG-I plugin/),
      ]);
      alert.expr = alert.expr.replace("cnpg_collector_last_available_backup_timestamp", "cnpg_last_backup_timestamp");
      expect(readsOf(all).flatMap((read) => problemsOf(read, producersOf(configOf("production"), all, drillMetrics())))).toEqual([
        "PrometheusRule/mcp-platform BackupStale: reads cnpg_last_backup_timestamp, which no exporter the stack pins exposes and no rule of the stack records",
      ]);
    });

    it("names the label when a rule reads a metric by a label its exporter does not put on it", async () => {
      const all = objects(await render("production"));
      const rule = all.get("PrometheusRule/mcp-platform")!;
      const alert = rule.spec.groups[1].rules.find((r: { alert?: string }) => r.alert === "PodRestarting");
      alert.expr = alert.expr.replace("kube_pod_container_status_restarts_total{", 'kube_pod_container_status_restarts_total{deployment="api",');
      expect(readsOf(all).flatMap((read) => problemsOf(read, producersOf(configOf("production"), all, drillMetrics())))).toEqual([
        expect.stringMatching(/^PrometheusRule\/mcp-platform PodRestarting: reads kube_pod_container_status_restarts_total\{deployment=\.\.\.\}, a label kube-state-metrics@v2\.14\.0 does not put on it/),
      ]);
    });

    it("names the release and the key when a chart is passed a key it does not have", async () => {
      const p = structuredClone(await render("production"));
      const release = p.resources.find((r) => r.name === "monitoring-stack-kube-prometheus-stack")!;
      (release.inputs.values as { prometheus: { prometheusSpec: Record<string, unknown> } }).prometheus.prometheusSpec.retentionTime = "30d";
      expect(releaseProblems(p)).toEqual(["release monitoring-stack-kube-prometheus-stack (kube-prometheus-stack 66.3.1): values key prometheus.prometheusSpec.retentionTime is not a key of the chart"]);
    });

    it("says which facts are missing for a version the stack pins that has none", async () => {
      const config = configOf("production");
      config.clusterAddons.barmanCloud.version = "0.8.0";
      expect(() => cataloguesOf(config)).toThrow("clusterAddons.barmanCloud.version pins chart plugin-barman-cloud 0.8.0, whose exporters have no catalogue");
      const p = structuredClone(await render("production"));
      (p.resources.find((r) => r.name === "cluster-addons-plugin-barman-cloud")!.inputs as { version: string }).version = "0.8.0";
      expect(releaseProblems(p)).toEqual([expect.stringContaining("no value keys for chart plugin-barman-cloud 0.8.0: add ")]);
    });
  });
});
