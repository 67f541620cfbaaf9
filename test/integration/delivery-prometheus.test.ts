/**
 * npm run analyze and advance against a real Prometheus (Debian's) on loopback, with the stack's own
 * rendered rules loaded (the PrometheusRule's groups, evaluated every second instead of 30 s), scraping
 * a small synthetic exporter that serves per-colour request counters, latency histograms and
 * kube-state-metrics' restart counters. Each scenario is a copy of the production stack in a
 * namespace of its own, with a release in progress; the verdicts expected are the runbook's decision
 * matrix applied to what the exporter serves, and the figures are what Prometheus computed.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { stringify } from "yaml";
import { rawPlatformConfig, requirePlatformConfig } from "../../config";
import { renderMonitoring } from "../../components/monitoring/render";
import { runDelivery, type Analysis } from "../../tools/release/delivery-command";
import { runRelease } from "../../tools/release/command";
import { queryValue } from "../../tools/release/prometheus";
import { applyEdits, type Edit } from "../../tools/release/stack-file";
import { loadStackConfig } from "../../tools/stack-config";
import type { RuleGroup } from "../../components/monitoring/public";
import { projectCopy, runScript } from "../harness";
import { freePort, hasBinary, runTool, startProcess, tempDir, waitForPort } from "./real-tools";

const describeWithPrometheus = hasBinary("prometheus") ? describe : describe.skip;
const describeWithPromtool = hasBinary("promtool") ? describe : describe.skip;

/** The runbook's decision matrix (seeds/mcp-rag-demo-deployment-runbook.md). */
const RUNBOOK = { errorRollback: 0.01, errorHold: 0.005, latencyRollback: 2, latencyHold: 1.5, restarts: 3 };

/** Histogram buckets the exporter serves; every request of a colour falls in one of them. */
const BUCKETS = [0.1, 0.2, 0.3, 0.35, 0.5, 1];
/** histogram_quantile's answer when every observation is in the bucket ending at `le`: linear inside it. */
const p95In = (le: number) => {
  const lower = BUCKETS[BUCKETS.indexOf(le) - 1] ?? 0;
  return lower + 0.95 * (le - lower);
};

interface ColorModel {
  /** Requests per second. */
  rate: number;
  errorFraction: number;
  /** The bucket every request's duration falls in. */
  le: number;
  restartsPerSecond: number;
}
const HEALTHY: ColorModel = { rate: 200, errorFraction: 0.001, le: 0.2, restartsPerSecond: 0 };

interface Scenario {
  namespace: string;
  candidate: ColorModel;
  stable?: ColorModel;
  /** The verdict the runbook's matrix gives for the candidate, and the check that decides it. */
  verdict: "advance" | "hold" | "rollback";
  check?: string;
  /** After a cutover (set once Prometheus has data): else a canary at 25 %. */
  cutover?: boolean;
}

const SCENARIOS: Scenario[] = [
  // 0.1 % errors, the stable colour's latency, no restarts: below every line of the matrix.
  { namespace: "mcp-healthy", candidate: HEALTHY, verdict: "advance" },
  // 0.7 %: in the matrix's 0.5-1 % band (monitor closely, prepare rollback).
  { namespace: "mcp-errors-hold", candidate: { ...HEALTHY, errorFraction: 0.007 }, verdict: "hold", check: "errorRate" },
  // 3 %: above 1 % (immediate rollback).
  { namespace: "mcp-errors", candidate: { ...HEALTHY, errorFraction: 0.03 }, verdict: "rollback", check: "errorRate" },
  // p95 0.3475 s against 0.195 s: 1.78x, between 1.5x and 2x (monitor).
  { namespace: "mcp-slow", candidate: { ...HEALTHY, le: 0.35 }, verdict: "hold", check: "latency" },
  // p95 0.975 s: 5x the baseline (rollback).
  { namespace: "mcp-slower", candidate: { ...HEALTHY, le: 1 }, verdict: "rollback", check: "latency" },
  // A restart a second: more than 3 in 5 minutes.
  { namespace: "mcp-crashing", candidate: { ...HEALTHY, restartsPerSecond: 1 }, verdict: "rollback", check: "restarts" },
  // Healthy, but a request every 20 s: too few to judge.
  { namespace: "mcp-quiet", candidate: { ...HEALTHY, rate: 0.05 }, verdict: "hold", check: "traffic" },
  // All traffic on green since a cutover a few seconds ago, healthy throughout.
  { namespace: "mcp-cutover", candidate: { ...HEALTHY, rate: 20_000 }, stable: { ...HEALTHY, rate: 20_000 }, verdict: "advance", cutover: true },
  // The same, failing 3 % of its requests since the cutover: above 1 %.
  // Half its requests fail since the cutover, but it serves one request every 20 s: no 5 minutes busy enough to judge.
  { namespace: "mcp-cutover-quiet", candidate: { ...HEALTHY, rate: 0.05, errorFraction: 0.5 }, verdict: "hold", check: "traffic", cutover: true },
  { namespace: "mcp-cutover-errors", candidate: { ...HEALTHY, rate: 20_000, errorFraction: 0.03 }, stable: { ...HEALTHY, rate: 20_000 }, verdict: "rollback", check: "errorRate", cutover: true },
];

/** The stack setting delivery.minRequests of every scenario. */
const MIN_REQUESTS = 200;
const GREEN = { repository: "ghcr.io/example/mcp-server", tag: "1.4.2", digest: "sha256:5d41402abc4b2a76b9719d911017c592ae2f9b7c6a1e0d3f4b5c6d7e8f90a1b2" };
const GREEN_REF = `${GREEN.repository}:${GREEN.tag}@${GREEN.digest}`;
const bg = (...rest: string[]) => ["config", "mcp-platform:services", "api", "blueGreen", ...rest];

/** The exposition of every scenario's series at `seconds` since the exporter started. */
function exposition(seconds: number): string {
  const requests: string[] = [];
  const buckets: string[] = [];
  const restarts: string[] = [];
  for (const s of SCENARIOS) {
    for (const [color, model] of [["blue", s.stable ?? HEALTHY], ["green", s.candidate]] as [string, ColorModel][]) {
      const labels = `namespace="${s.namespace}",app="api",color="${color}"`;
      const total = model.rate * seconds;
      requests.push(`http_requests_total{${labels},status="200"} ${total * (1 - model.errorFraction)}`);
      requests.push(`http_requests_total{${labels},status="500"} ${total * model.errorFraction}`);
      for (const le of BUCKETS) buckets.push(`http_request_duration_seconds_bucket{${labels},le="${le}"} ${le >= model.le ? total : 0}`);
      buckets.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${total}`);
      buckets.push(`http_request_duration_seconds_sum{${labels}} ${total * model.le}`, `http_request_duration_seconds_count{${labels}} ${total}`);
      // As kube-state-metrics names a pod of the Deployment api-<colour>: no app or colour label.
      restarts.push(`kube_pod_container_status_restarts_total{namespace="${s.namespace}",pod="api-${color}-6d4cf56db6-x7k2p",container="app",uid="u-${color}"} ${Math.floor(seconds * model.restartsPerSecond)}`);
    }
  }
  return [
    "# TYPE http_requests_total counter",
    ...requests,
    "# TYPE http_request_duration_seconds histogram",
    ...buckets,
    "# TYPE kube_pod_container_status_restarts_total counter",
    ...restarts,
    "",
  ].join("\n");
}

/** A copy of the project whose production stack runs in the scenario's namespace, a release of api on green in progress. */
function scenarioProject(s: Scenario, cutoverAt?: Date): string {
  const dir = projectCopy("mcp-delivery-");
  const file = path.join(dir, "Pulumi.production.yaml");
  const release: Edit[] = s.cutover
    ? [
        { path: bg("activeColor"), value: "green" },
        { path: bg("cutoverAt"), value: cutoverAt!.toISOString() },
        { path: bg("rollbackHoldHours"), value: 0 },
      ]
    : [{ path: bg("canaryWeight"), value: 25 }];
  const text = applyEdits(fs.readFileSync(file, "utf8"), [
    { path: ["config", "mcp-platform:namespace"], value: s.namespace },
    { path: bg("green", "image"), value: GREEN },
    { path: bg("standbyScale"), value: "full" },
    { path: bg("smokePassed"), value: { image: GREEN_REF, at: "2026-12-03T07:00:00Z" } },
    ...release,
  ]);
  // The traffic a verdict needs; and no monitoring hold for the cutover scenario, so that advance reaches the retirement.
  fs.writeFileSync(file, text.replace("config:\n", `config:\n  mcp-platform:delivery:\n    minRequests: ${MIN_REQUESTS}\n${s.cutover ? "    holdMinutes: 0\n" : ""}`));
  return dir;
}

/** The rule groups the stack's PrometheusRule holds, evaluated every second. */
function stackRules(dir: string): { groups: RuleGroup[] } {
  const config = requirePlatformConfig(rawPlatformConfig(loadStackConfig(dir, "production").config));
  const groups = renderMonitoring(config).rule.spec.groups as RuleGroup[];
  return { groups: groups.map((group) => ({ ...group, interval: "1s" })) };
}

describeWithPrometheus("analyze and advance on a real Prometheus", () => {
  let exporter: http.Server;
  let prometheus: ReturnType<typeof startProcess>;
  let url: URL;
  const dirs = new Map<string, string>();
  let dataAt: Date;
  let ready: number;
  const measured: string[] = [];

  beforeAll(async () => {
    const started = Date.now();
    exporter = http.createServer((_req, res) => {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end(exposition((Date.now() - started) / 1000));
    });
    await new Promise<void>((resolve) => exporter.listen(0, "127.0.0.1", resolve));
    const work = tempDir("mcp-prometheus-");
    // The canary scenarios' projects now; the cutover's once its cutover time is known (its rules are the same but for the namespace).
    const ruleFiles: string[] = [];
    for (const s of SCENARIOS) {
      const dir = scenarioProject(s, new Date());
      if (!s.cutover) dirs.set(s.namespace, dir);
      const rules = path.join(work, `${s.namespace}.rules.yaml`);
      fs.writeFileSync(rules, stringify(stackRules(dir)));
      ruleFiles.push(rules);
    }
    const port = await freePort();
    fs.writeFileSync(
      path.join(work, "prometheus.yml"),
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        rule_files: ruleFiles,
        scrape_configs: [{ job_name: "synthetic", honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${(exporter.address() as { port: number }).port}`] }] }],
      }),
    );
    prometheus = startProcess("prometheus", [
      `--config.file=${path.join(work, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(work, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    await waitForPort(port, 20000);
    url = new URL(`http://127.0.0.1:${port}`);
    // Until the recording rules have every scenario's figures, and the crashing colour restarted more than the matrix allows.
    const deadline = Date.now() + 60000;
    for (;;) {
      const [p95s, restarts] = await Promise.all([
        queryValue(url, "count(app_color:http_request_duration_seconds:p95_5m >= 0)", new Date(), 2000).catch(() => null),
        queryValue(url, 'app_color:pod_restarts:increase5m{namespace="mcp-crashing",color="green"}', new Date(), 2000).catch(() => null),
      ]);
      if ((p95s ?? 0) >= SCENARIOS.length * 2 && (restarts ?? 0) > RUNBOOK.restarts + 1) break;
      if (Date.now() > deadline) throw new Error(`Prometheus has no figures after 60 s:\n${prometheus.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    dataAt = new Date(Date.now() - 1000);
    ready = (Date.now() - started) / 1000;
    // The cutover happened once the old colour had figures: its p95 then is the baseline.
    for (const cutover of SCENARIOS.filter((s) => s.cutover)) dirs.set(cutover.namespace, scenarioProject(cutover, dataAt));
    await new Promise((r) => setTimeout(r, 2000));
  }, 90000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => exporter?.close(resolve));
    process.stderr.write(`real Prometheus: every scenario's figures ${ready?.toFixed(1)} s after the exporter started\n  ${measured.join("\n  ")}\n`);
  });

  async function analyze(namespace: string): Promise<{ code: number; analysis: Analysis }> {
    let out = "";
    const code = await runDelivery("analyze", ["--stack", "production", "--service", "api", "--prometheus", url.href, "--format", "json", "--dir", dirs.get(namespace)!], (t) => (out += t));
    return { code, analysis: JSON.parse(out) as Analysis };
  }

  it.each(SCENARIOS.map((s) => [s.namespace, s] as const))("%s: the matrix's verdict on what Prometheus computed", async (_name, s) => {
    const { code, analysis } = await analyze(s.namespace);
    const c = analysis.observed.candidate;
    measured.push(`${s.namespace}: ${analysis.verdict}, ${c.requests} requests, error rate ${c.errorRate}, p95 ${c.p95Seconds} s (baseline ${analysis.observed.baselineP95Seconds} s), ${c.restarts5m} restarts`);
    // The figures are the real Prometheus's, from the stack's own rules.
    if (s.candidate.rate >= 1) {
      expect(c.errorRate).toBeCloseTo(s.candidate.errorFraction, 6);
      expect(c.p95Seconds).toBeCloseTo(p95In(s.candidate.le), 6);
    } else if (s.cutover) {
      // Since a cutover, only the 5-minute windows with enough requests count: none here.
      expect(c.errorRate).toBeNull();
    }
    expect(analysis.observed.baselineP95Seconds).toBeCloseTo(p95In((s.stable ?? HEALTHY).le), 6);
    // And the verdict is the runbook's matrix applied to them.
    const expected =
      c.restarts5m > RUNBOOK.restarts || c.errorRate! > RUNBOOK.errorRollback || c.p95Seconds! > RUNBOOK.latencyRollback * analysis.observed.baselineP95Seconds!
        ? "rollback"
        : c.requests < MIN_REQUESTS || c.errorRate! >= RUNBOOK.errorHold || c.p95Seconds! > RUNBOOK.latencyHold * analysis.observed.baselineP95Seconds!
          ? "hold"
          : "advance";
    expect(expected).toBe(s.verdict);
    expect(analysis.verdict).toBe(s.verdict);
    expect(code).toBe({ advance: 0, hold: 3, rollback: 4 }[s.verdict]);
    if (s.check) expect(analysis.reasons.filter((r) => r.verdict === s.verdict).map((r) => r.check)).toContain(s.check);
    expect(analysis.step).toEqual(s.cutover ? expect.stringMatching(/^after the cutover to green \(\d+ min ago\)$/) : "canary 25 % on green");
  });

  it("advance makes the release commands' edit for the verdict", async () => {
    const cases = [
      ["mcp-healthy", "canary", ["--service", "api", "--weight", "50"], 0],
      ["mcp-errors-hold", undefined, [], 3],
      ["mcp-cutover", "retire", ["--service", "api"], 0],
      ["mcp-cutover-errors", "rollback", ["--service", "api"], 4],
    ] as const;
    for (const [namespace, command, args, exit] of cases) {
      const dir = dirs.get(namespace)!;
      const twin = projectCopy("mcp-delivery-twin-");
      fs.copyFileSync(path.join(dir, "Pulumi.production.yaml"), path.join(twin, "Pulumi.production.yaml"));
      const before = fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8");
      let out = "";
      const code = await runDelivery("advance", ["--stack", "production", "--prometheus", url.href, "--dir", dir], (t) => (out += t));
      expect(code).toBe(exit);
      if (command) runRelease(command, ["--stack", "production", ...args, "--dir", twin], () => {});
      // Byte for byte the file the release command writes (unchanged on hold); a rollback also forgets the rejected release's smoke test.
      const expected = fs.readFileSync(path.join(twin, "Pulumi.production.yaml"), "utf8");
      expect(fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8")).toBe(exit === 4 ? expected.replace(/ {8}smokePassed:\n {10}image: .*\n {10}at: .*\n/, "") : expected);
      if (!command) expect(fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8")).toBe(before);
      expect(out).toMatch(command ? /\n\+\+\+ \S*Pulumi\.production\.yaml\n/ : /next: hold: no change\n$/);
    }
  });

  it("exits 2 when Prometheus cannot be reached, and as a process prints the text report", async () => {
    const closed = await runScript("tools/delivery.ts", "analyze", "--stack", "production", "--prometheus", `http://127.0.0.1:${await freePort()}`, "--dir", dirs.get("mcp-healthy")!);
    expect(closed.stderr).toMatch(/^error: cannot query Prometheus at http:\/\/127\.0\.0\.1:\d+\/ \(.*ECONNREFUSED.*\): check --prometheus/);
    expect(closed.stdout).toBe("");
    expect(closed.code).toBe(2);
    const notPrometheus = await runScript("tools/delivery.ts", "analyze", "--stack", "production", "--prometheus", `${url.href}graph/`, "--dir", dirs.get("mcp-errors")!);
    expect(notPrometheus.code).toBe(2);
    const report = await runScript("tools/delivery.ts", "analyze", "--stack", "production", "--prometheus", url.href, "--dir", dirs.get("mcp-errors")!);
    expect(report.stdout).toMatch(/^production api: canary 25 % on green: rollback\n/);
    expect(report.stdout).toMatch(/ {2}rollback {2}errorRate {2}error rate 3 %, above 1 %: immediate rollback\n/);
    expect(report.stdout).toMatch(/next: abort: green out of traffic and scaled down\n$/);
    expect(report.code).toBe(4);
  }, 60000);
});

describeWithPromtool("the per-colour restarts rule (promtool test rules)", () => {
  it("counts the restarts of each Deployment <service>-<colour>'s pods, and no other pod's", () => {
    const dir = tempDir("mcp-restarts-");
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify(stackRules(projectCopy("mcp-restarts-project-"))));
    const ksm = (pod: string) => `kube_pod_container_status_restarts_total{namespace="mcp-production",pod="${pod}",container="app"}`;
    fs.writeFileSync(
      path.join(dir, "tests.yaml"),
      stringify({
        rule_files: ["rules.yaml"],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: [
              // A restart a minute on two pods of a hyphenated service's green colour: 5 + 5 in 5 minutes.
              { series: ksm("mcp-api-green-6d4cf56db6-x7k2p"), values: "0+1x10" },
              { series: ksm("mcp-api-green-6d4cf56db6-q9m4t"), values: "0+1x10" },
              { series: ksm("api-blue-6d4cf56db6-abcde"), values: "0+0x10" },
              // No colour: a worker's pod, a StatefulSet's, a migration Job's.
              { series: ksm("worker-7c9d8b6f5-zz9aa"), values: "0+1x10" },
              { series: ksm("redis-cache-0"), values: "0+1x10" },
              { series: ksm("api-migrate-b11f9e97-xyz12"), values: "0+1x10" },
            ],
            promql_expr_test: [
              {
                expr: "app_color:pod_restarts:increase5m",
                eval_time: "10m",
                exp_samples: [
                  { labels: 'app_color:pod_restarts:increase5m{namespace="mcp-production",app="api",color="blue"}', value: 0 },
                  { labels: 'app_color:pod_restarts:increase5m{namespace="mcp-production",app="mcp-api",color="green"}', value: 10 },
                ],
              },
            ],
          },
        ],
      }),
    );
    const result = runTool("promtool", ["test", "rules", path.join(dir, "tests.yaml")]);
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });
});
