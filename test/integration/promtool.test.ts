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
import { renderRuleGroups, type RuleGroup } from "../../components/monitoring/rules";
import { overviewPanels } from "../../components/monitoring/dashboards";
import { objects, PROJECT_DIR, render, STACKS } from "../harness";
import { hasBinary, runTool, tempDir } from "./real-tools";

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
  return renderRuleGroups(monitoring(settings), {
    namespace: "ns",
    runbookUrl: RUNBOOK,
    has: { postgres: true, redisCache: true, redisQueue: true, edge: true, quota: true },
  });
}

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

/** The labels of a PodMonitor-scraped series of app `app`. */
const app = (name: string, extra = "") => `{${NS},app="${name}"${extra}}`;

function requests(ok: number, errors: number): Record<string, string> {
  return {
    [`http_requests_total${app("api", ',status="200"')}`]: `0+${ok}x30`,
    [`http_requests_total${app("api", ',status="500"')}`]: `0+${errors}x30`,
  };
}

function latency(counts: [number, number, number, number]): Record<string, string> {
  const [le01, le025, le05, le1] = counts;
  return {
    [`http_request_duration_seconds_bucket${app("api", ',le="0.1"')}`]: `0+${le01}x30`,
    [`http_request_duration_seconds_bucket${app("api", ',le="0.25"')}`]: `0+${le025}x30`,
    [`http_request_duration_seconds_bucket${app("api", ',le="0.5"')}`]: `0+${le05}x30`,
    [`http_request_duration_seconds_bucket${app("api", ',le="1"')}`]: `0+${le1}x30`,
    [`http_request_duration_seconds_bucket${app("api", ',le="+Inf"')}`]: `0+${le1}x30`,
  };
}

const container = `{${NS},pod="api-blue-1",container="app"}`;
const limit = (resource: string, value: number) => ({ [`kube_pod_container_resource_limits{${NS},pod="api-blue-1",container="app",resource="${resource}"}`]: `${value}x30` });
const apiLabels = { namespace: "ns", app: "api" };
const containerLabels = { namespace: "ns", pod: "api-blue-1", container: "app" };
const DAY = 86400;

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
  { name: "p95 0.44 s: warning", series: latency([50, 80, 100, 100]), at: "15m", alert: "AppLatencyP95", fires: [{ ...warn, ...apiLabels }] },
  { name: "p95 0.98 s: critical", series: latency([0, 0, 0, 100]), at: "15m", alert: "AppLatencyP95", fires: [{ ...warn, ...apiLabels }, { ...crit, ...apiLabels }] },
  { name: "p95 0.28 s: quiet", series: latency([0, 100, 100, 100]), at: "15m", alert: "AppLatencyP95", fires: [] },
  {
    name: "40 % cache hits: warning",
    series: { [`redis_keyspace_hits_total${app("redis-cache")}`]: "0+40x40", [`redis_keyspace_misses_total${app("redis-cache")}`]: "0+60x40" },
    at: "25m",
    alert: "CacheHitRateLow",
    fires: [{ ...warn, namespace: "ns" }],
  },
  {
    name: "60 % cache hits: quiet",
    series: { [`redis_keyspace_hits_total${app("redis-cache")}`]: "0+60x40", [`redis_keyspace_misses_total${app("redis-cache")}`]: "0+40x40" },
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
      [`kubelet_volume_stats_used_bytes{${NS},persistentvolumeclaim="data-redis-queue-0"}`]: `${used}x30`,
      [`kubelet_volume_stats_capacity_bytes{${NS},persistentvolumeclaim="data-redis-queue-0"}`]: "100x30",
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
    series: { [`container_memory_working_set_bytes${container}`]: `${used}x30`, ...limit("memory", 1000) },
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
    series: { [`container_cpu_usage_seconds_total${container}`]: `0+${perMinute}x40`, ...limit("cpu", 1) },
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
      [`cnpg_backends_total{${NS},pod="postgres-1",datname="app",state="active"}`]: `${backends}x30`,
      [`cnpg_pg_settings_setting{${NS},pod="postgres-1",name="max_connections"}`]: "200x30",
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
    series: { [`cnpg_mcp_statements_exec_seconds{${NS},pod="postgres-1"}`]: `0+${execPerMinute}x40`, [`cnpg_mcp_statements_calls{${NS},pod="postgres-1"}`]: "0+100x40" },
    at: "25m",
    alert: "PostgresQueryTime",
    fires: (levels as object[]).map((l) => ({ ...l, namespace: "ns" })),
  })),
  {
    name: "no backup for 28 h",
    interval: "10m",
    series: { [`cnpg_collector_last_available_backup_timestamp{${NS},pod="postgres-1"}`]: "0x200" },
    at: "28h",
    alert: "BackupStale",
    fires: [{ ...high, namespace: "ns" }],
  },
  {
    name: "a backup 4 h ago",
    interval: "10m",
    series: { [`cnpg_collector_last_available_backup_timestamp{${NS},pod="postgres-1"}`]: `${DAY}x200` },
    at: "28h",
    alert: "BackupStale",
    fires: [],
  },
  {
    name: "the last backup failed",
    series: { [`cnpg_collector_last_failed_backup_timestamp{${NS},pod="postgres-1"}`]: "200x20", [`cnpg_collector_last_available_backup_timestamp{${NS},pod="postgres-1"}`]: "100x20" },
    at: "10m",
    alert: "BackupFailed",
    fires: [{ ...high, namespace: "ns" }],
  },
  {
    name: "a failure before the last good backup",
    series: { [`cnpg_collector_last_failed_backup_timestamp{${NS},pod="postgres-1"}`]: "100x20", [`cnpg_collector_last_available_backup_timestamp{${NS},pod="postgres-1"}`]: "200x20" },
    at: "10m",
    alert: "BackupFailed",
    fires: [],
  },
  {
    name: "no restore check for 9 days",
    interval: "1h",
    series: { [`kube_cronjob_status_last_successful_time{${NS},cronjob="restore-check"}`]: "0x230" },
    at: "216h",
    alert: "RestoreCheckStale",
    fires: [{ ...high, namespace: "ns" }],
  },
  {
    name: "a failed restore check",
    series: { [`kube_job_status_failed{${NS},job_name="restore-check-29001"}`]: "1x20" },
    at: "10m",
    alert: "RestoreCheckFailed",
    fires: [{ ...high, namespace: "ns", job_name: "restore-check-29001" }],
  },
  {
    name: "a restore check 2 days ago",
    interval: "1h",
    series: { [`kube_cronjob_status_last_successful_time{${NS},cronjob="restore-check"}`]: `${7 * DAY}x230` },
    at: "216h",
    alert: "RestoreCheckStale",
    fires: [],
  },
  {
    name: "no failed restore check",
    series: { [`kube_job_status_failed{${NS},job_name="restore-check-29001"}`]: "0x20" },
    at: "10m",
    alert: "RestoreCheckFailed",
    fires: [],
  },
  {
    name: "5 restarts in 5 minutes",
    series: { [`kube_pod_container_status_restarts_total${container}`]: "0+1x20" },
    at: "10m",
    alert: "PodRestarting",
    fires: [{ ...high, ...containerLabels }],
  },
  { name: "2.5 restarts in 5 minutes", series: { [`kube_pod_container_status_restarts_total${container}`]: "0+0.5x20" }, at: "10m", alert: "PodRestarting", fires: [] },
  {
    name: "150 jobs waiting",
    series: { [`redis_key_size${app("redis-queue", ',key="bull:default:wait"')}`]: "150x30" },
    at: "15m",
    alert: "QueueBacklog",
    fires: [{ ...warn, namespace: "ns" }],
  },
  { name: "50 jobs waiting", series: { [`redis_key_size${app("redis-queue", ',key="bull:default:wait"')}`]: "50x30" }, at: "15m", alert: "QueueBacklog", fires: [] },
  {
    name: "20 failed jobs",
    series: { [`redis_key_size${app("redis-queue", ',key="bull:default:failed"')}`]: "20x30" },
    at: "15m",
    alert: "QueueFailedJobs",
    fires: [{ ...warn, namespace: "ns" }],
  },
  { name: "5 failed jobs", series: { [`redis_key_size${app("redis-queue", ',key="bull:default:failed"')}`]: "5x30" }, at: "15m", alert: "QueueFailedJobs", fires: [] },
  ...[
    [10, [warn]],
    [5, [warn, crit]],
    [30, []],
  ].map(([days, levels]) => ({
    name: `certificate expiring in ${days} days`,
    series: { [`certmanager_certificate_expiration_timestamp_seconds{${NS},name="edge"}`]: `${7200 + Number(days) * DAY}x130` },
    at: "2h",
    alert: "CertificateExpiry",
    fires: (levels as object[]).map((l) => ({ ...l, namespace: "ns", name: "edge" })),
  })),
  {
    name: "3 failed uptime checks in a row",
    series: { [`probe_success{${NS},probe="uptime",instance="https://mcp.example.com/health/ready"}`]: "1 1 0 0 0 0" },
    at: "4m",
    alert: "UptimeProbeFailed",
    fires: [{ ...crit, namespace: "ns", probe: "uptime", instance: "https://mcp.example.com/health/ready" }],
  },
  {
    name: "2 failed uptime checks in a row",
    series: { [`probe_success{${NS},probe="uptime",instance="https://mcp.example.com/health/ready"}`]: "1 0 0 1 0 0" },
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
      [`kube_resourcequota{${NS},resource="pods",type="used",resourcequota="quota"}`]: `${used}x30`,
      [`kube_resourcequota{${NS},resource="pods",type="hard",resourcequota="quota"}`]: "100x30",
    },
    at: "20m",
    alert: "CapacityQuota",
    fires: (levels as object[]).map((l) => ({ ...l, namespace: "ns", resource: "pods" })),
  })),
  {
    name: "an unscrapeable target",
    series: { [`up{${NS},job="ns/api",pod="api-blue-1",instance="10.0.0.1:8000"}`]: "0x10" },
    at: "6m",
    alert: "MetricsTargetDown",
    fires: [{ ...warn, namespace: "ns", job: "ns/api", pod: "api-blue-1", instance: "10.0.0.1:8000" }],
  },
  { name: "a target that answers", series: { [`up{${NS},job="ns/api",pod="api-blue-1",instance="10.0.0.1:8000"}`]: "1x10" }, at: "6m", alert: "MetricsTargetDown", fires: [] },
];

/** The groups without annotations, for the cases that check labels only (promtool compares both). */
function withoutAnnotations(ruleGroups: RuleGroup[]): RuleGroup[] {
  return ruleGroups.map((g) => ({ ...g, rules: g.rules.map((r) => ("alert" in r ? { ...r, annotations: undefined } : r)) })) as RuleGroup[];
}

/**
 * Runs promtool test rules on the given groups with the given cases, one test file per sampling
 * interval (it is also the file's evaluation interval); returns the status and output.
 */
function promtoolTest(ruleGroups: RuleGroup[], cases: Case[]): { status: number | null; output: string } {
  const dir = tempDir("mcp-promtool-");
  const files: string[] = [];
  const write = (name: string, rules: RuleGroup[], subset: Case[], interval: string) => {
    fs.writeFileSync(path.join(dir, `${name}.rules.yaml`), stringify({ groups: rules }, { lineWidth: 0 }));
    const tests = {
      rule_files: [`${name}.rules.yaml`],
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
    files.push(path.join(dir, `${name}.tests.yaml`));
    fs.writeFileSync(files[files.length - 1], stringify(tests, { lineWidth: 0 }));
  };
  const intervals = [...new Set(cases.map((c) => c.interval ?? "1m"))];
  intervals.forEach((interval, i) => {
    const subset = cases.filter((c) => (c.interval ?? "1m") === interval);
    const labelsOnly = subset.filter((c) => !c.annotations);
    const withAnnotations = subset.filter((c) => c.annotations);
    if (labelsOnly.length) write(`labels-${i}`, withoutAnnotations(ruleGroups), labelsOnly, interval);
    if (withAnnotations.length) write(`annotations-${i}`, ruleGroups, withAnnotations, interval);
  });
  return runTool("promtool", ["test", "rules", ...files]);
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
    const panels = overviewPanels({ namespace: "ns", has: { postgres: true, redisCache: true, redisQueue: true } });
    const rules = panels.flatMap((p, i) => p.targets.map((t, j) => ({ record: `dashboard:panel${i}:query${j}`, expr: t.expr })));
    const dir = tempDir("mcp-promtool-");
    fs.writeFileSync(path.join(dir, "panels.yaml"), stringify({ groups: [{ name: "dashboard", rules }] }, { lineWidth: 0 }));
    const result = runTool("promtool", ["check", "rules", path.join(dir, "panels.yaml")]);
    expect(result.output).toMatch(`SUCCESS: ${rules.length} rules found`);
  });

  it("every alert has a case that fires it and one that stays under its threshold", () => {
    const alerts = new Set(groups().flatMap((g) => g.rules.flatMap((r) => ("alert" in r ? [r.alert] : []))));
    const fired = new Set(CASES.filter((c) => c.fires.length > 0).map((c) => c.alert));
    const quiet = new Set(CASES.filter((c) => c.fires.length === 0).map((c) => c.alert));
    expect([...alerts].filter((a) => !fired.has(a) || !quiet.has(a))).toEqual([]);
  });

  it(`test rules: ${CASES.length} cases of thresholds crossed and not`, () => {
    const result = promtoolTest(groups(), CASES);
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
        has: { postgres: true, redisCache: true, redisQueue: true, edge: true, quota: true },
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
