/**
 * Hostile user text in generated configs, through the real tools: the maintenance message in
 * nginx.conf (`nginx -t`), the error-status pattern, error codes and runbook URL in the alert rules
 * (`promtool check rules`, `promtool test rules`). Each with a negative control: the same text put in
 * raw, as the render did before escaping it, fails the tool (so the check can fail).
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { renderNginxConf } from "../../components/edge/nginx-conf";
import { renderRuleGroups } from "../../components/monitoring/rules";
import { renderLogRuleGroups } from "../../components/monitoring/log-rules";
import { freePort, hasBinary, runTool, tempDir } from "./real-tools";
import { stagingConfig } from "../fixtures";

const config = (extra: Record<string, unknown>) => stagingConfig(extra, image);

const image = { repository: "r/app", tag: "1.0.0" };


/** Messages an operator may well write, and ones written to break out of the quoted string. */
const HOSTILE_MESSAGES = [
  "Prices from $price are back at 3 a.m.",
  "Costs $5; see ${host} and $1",
  "Path C:\\temp\\ and a trailing backslash \\",
  "It's 'quoted' and \"double-quoted\"",
  "'; return 200 'owned",
  "}; location /x { return 200 x; } #",
  "<script>alert(1)</script> & more",
  "Line one\nline two\ttabbed",
  "Unicode: Wartung läuft – 終わり 🚧",
];

const describeWithNginx = hasBinary("nginx") && hasBinary("openssl") ? describe : describe.skip;

describeWithNginx("nginx -t on maintenance messages", () => {
  let dir: string;
  let layout: Parameters<typeof renderNginxConf>[1];
  beforeAll(async () => {
    dir = tempDir("mcp-nginx-inject-");
    const certificate = path.join(dir, "tls.crt");
    const certificateKey = path.join(dir, "tls.key");
    const made = runTool("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=mcp.test", "-keyout", certificateKey, "-out", certificate]);
    if (made.status !== 0) throw new Error(made.output);
    layout = { upstreams: { api: "127.0.0.1:1" }, httpPort: await freePort(), httpsPort: await freePort(), statusPort: await freePort(), tempDir: dir, certificate, certificateKey };
  });

  const edge = (message: string) =>
    config({ edge: { hostname: "mcp.test", tls: { secretName: "edge-tls" }, routes: [{ path: "/", service: "api" }], maintenance: { enabled: true, message } } }).edge!;
  const nginxTest = (conf: string) => {
    const file = path.join(dir, "nginx.conf");
    fs.writeFileSync(file, conf);
    return runTool("nginx", ["-t", "-p", dir, "-c", file, "-e", "stderr"]);
  };

  it.each(HOSTILE_MESSAGES)("accepts %j, with no $ or backslash left for nginx to read", (message) => {
    const conf = renderNginxConf(edge(message), layout);
    const line = conf.split("\n").find((l) => l.includes("return 503"))!;
    expect(line).not.toMatch(/[$\\]/);
    const result = nginxTest(conf);
    expect(result.output).toMatch(/test is successful/);
    expect(result.status).toBe(0);
  });

  it("negative control: the raw $price in the return text fails nginx -t (unknown variable)", () => {
    const conf = renderNginxConf(edge("Prices from PRICE"), layout).replace("PRICE", "$price");
    const result = nginxTest(conf);
    expect(result.output).toMatch(/unknown "price" variable/);
    expect(result.status).not.toBe(0);
  });
});

const describeWithPromtool = hasBinary("promtool") ? describe : describe.skip;
const HAS = { postgres: false, postgresInstances: 1, backups: false, preReleaseBackup: false, drill: false, redisCache: false, redisQueue: false, edge: false, certificate: false, quota: false };

describeWithPromtool("promtool on hostile monitoring settings", () => {
  const check = (groups: unknown) => {
    const dir = tempDir("mcp-promtool-inject-");
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups }, { lineWidth: 0 }));
    return runTool("promtool", ["check", "rules", path.join(dir, "rules.yaml")]);
  };
  const PATTERNS = ['5..|4"29', "5\\d\\d", "(5..|429)", 'x"} or vector(1) #', "[\\\\]"];

  it.each(PATTERNS)("check rules accepts the error-status pattern %j, quoted as a PromQL string", (errorStatus) => {
    const monitoring = config({ monitoring: { metrics: { errorStatus } } }).monitoring;
    const result = check(renderRuleGroups(monitoring, { namespace: "ns", runbookUrl: monitoring.runbookUrl, has: HAS }));
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);
  });

  it("the quoted pattern matches exactly what it says: a 5xx counts, a 429 only when listed (promtool test rules)", () => {
    const monitoring = config({ monitoring: { metrics: { errorStatus: '5\\d\\d|4"29' } } }).monitoring;
    const groups = renderRuleGroups(monitoring, { namespace: "ns", runbookUrl: monitoring.runbookUrl, has: HAS });
    const dir = tempDir("mcp-promtool-inject-");
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups }, { lineWidth: 0 }));
    const test = {
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            { series: 'http_requests_total{namespace="ns",app="api",status="503"}', values: "0+60x10" },
            { series: 'http_requests_total{namespace="ns",app="api",status="4\\"29"}', values: "0+60x10" },
            { series: 'http_requests_total{namespace="ns",app="api",status="429"}', values: "0+60x10" },
          ],
          promql_expr_test: [{ expr: "app:http_errors:rate5m", eval_time: "10m", exp_samples: [{ labels: 'app:http_errors:rate5m{namespace="ns",app="api"}', value: 2 }] }],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, "test.yaml"), stringify(test, { lineWidth: 0 }));
    const result = runTool("promtool", ["test", "rules", path.join(dir, "test.yaml")]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  it("negative control: the same pattern in raw quotes fails check rules", () => {
    const monitoring = config({ monitoring: { metrics: { errorStatus: "PATTERN" } } }).monitoring;
    const groups = JSON.parse(JSON.stringify(renderRuleGroups(monitoring, { namespace: "ns", runbookUrl: monitoring.runbookUrl, has: HAS })).replace(/\\"PATTERN\\"/g, '\\"5..|4\\"29\\"'));
    expect(check(groups).status).not.toBe(0);
  });

  it("check rules accepts {{ in a runbook URL and in error codes (Go template text), and they render as written", () => {
    const monitoring = config({ monitoring: { runbookUrl: "https://wiki.example.com/{{team}}/runbook", logs: { enabled: true, errorCodes: ["{{ .Bad }}", "AUTH_FAILED"] } } }).monitoring;
    const groups = [...renderRuleGroups(monitoring, { namespace: "ns", runbookUrl: monitoring.runbookUrl, has: HAS }), ...renderLogRuleGroups(monitoring, { namespace: "ns", runbookUrl: monitoring.runbookUrl })];
    // LogQL is not PromQL: check the Prometheus groups with promtool, the log rules' templates through a Prometheus rule of the same annotations.
    const logAlerts = renderLogRuleGroups(monitoring, { namespace: "ns", runbookUrl: monitoring.runbookUrl })[0].rules.map((rule) => ({ ...rule, expr: "vector(1)" }));
    const result = check([groups[0], ...groups.slice(1, -1), { name: "log-templates", rules: logAlerts }]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.status).toBe(0);

    const dir = tempDir("mcp-promtool-inject-");
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: [{ name: "log-templates", rules: logAlerts }] }, { lineWidth: 0 }));
    const test = {
      rule_files: ["rules.yaml"],
      tests: [
        {
          interval: "1m",
          input_series: [],
          alert_rule_test: [
            {
              eval_time: "6m",
              alertname: "LogErrorCode",
              exp_alerts: ["{{ .Bad }}", "AUTH_FAILED"].map((code) => ({
                exp_labels: { severity: "warning", priority: "P2", code },
                exp_annotations: {
                  summary: ` logged ${code} 1 times in 5 minutes`,
                  description: `${code} appears more than 10 times per 5 minutes in 's logs in  (MON-10).`,
                  runbook_url: "https://wiki.example.com/{{team}}/runbook#alert-logerrorcode",
                },
              })),
            },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, "test.yaml"), stringify(test, { lineWidth: 0 }));
    const tested = runTool("promtool", ["test", "rules", path.join(dir, "test.yaml")]);
    expect(tested.output).toMatch(/SUCCESS/);
    expect(tested.status).toBe(0);
  });

  it("negative control: {{team}} raw in an annotation fails check rules", () => {
    const result = check([{ name: "raw", rules: [{ alert: "Raw", expr: "vector(1)", annotations: { runbook_url: "https://wiki.example.com/{{team}}/runbook" } }] }]);
    expect(result.status).not.toBe(0);
  });
});
