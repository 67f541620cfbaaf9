/**
 * The Alertmanager configuration with the real tools: `amtool check-config` for both stacks, and
 * `amtool config routes test` showing each priority reaching its receivers (MON-15), and a live
 * Alertmanager on loopback inhibiting a warning by its critical twin.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { stringify } from "yaml";
import { parsePlatformConfig, rawPlatformConfig } from "../../config";
import { renderAlertmanagerConfig } from "../../components/monitoring/alertmanager";
import { loadStackConfig } from "../../tools/stack-config";
import { PROJECT_DIR, STACKS } from "../harness";
import { freePort, hasBinary, runTool, startProcess, tempDir, waitForPort } from "./real-tools";

const describeWithAmtool = hasBinary("amtool") ? describe : describe.skip;

/** Writes the stack's Alertmanager config, with its key files present, and returns its path. */
function writeConfig(stack: string): string {
  const parsed = parsePlatformConfig(rawPlatformConfig(loadStackConfig(PROJECT_DIR, stack).config));
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const dir = tempDir("mcp-amtool-");
  const secrets = path.join(dir, "secrets");
  fs.mkdirSync(secrets);
  for (const key of ["pagerduty-routing-key", "slack-webhook-url", "smtp-password"]) fs.writeFileSync(path.join(secrets, key), "https://hooks.example.com/x\n");
  const file = path.join(dir, "alertmanager.yaml");
  fs.writeFileSync(file, stringify(renderAlertmanagerConfig(parsed.config.monitoring, { secretsDir: secrets })));
  return file;
}

describeWithAmtool.each(STACKS)("amtool with the %s stack's Alertmanager config", (stack) => {
  let file: string;
  beforeAll(() => {
    file = writeConfig(stack);
  });

  it("passes check-config", () => {
    const result = runTool("amtool", ["check-config", file]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  it.each([
    ["P0", "critical", "pager"],
    ["P1", "high", "slack-and-email"],
    ["P2", "warning", "slack"],
    ["P3", "info", "email"],
  ])("routes a %s (%s) alert to %s", (priority, severity, receiver) => {
    const result = runTool("amtool", ["config", "routes", "test", `--config.file=${file}`, `priority=${priority}`, `severity=${severity}`, "alertname=AppErrorRate", "namespace=ns"]);
    expect(result.output.trim().split("\n").pop()).toBe(receiver);
  });
});

describeWithAmtool("amtool check-config", () => {
  it("rejects a broken config (the check can fail)", () => {
    const file = writeConfig("staging");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("receiver: slack\n", "receiver: nowhere\n"));
    expect(runTool("amtool", ["check-config", file]).status).not.toBe(0);
  });
});

const describeWithAlertmanager = hasBinary("prometheus-alertmanager") ? describe : describe.skip;

describeWithAlertmanager("a live Alertmanager with the staging config", () => {
  let server: ReturnType<typeof startProcess>;
  let webhook: http.Server;
  const posted: { channel: string; attachments: { title: string }[] }[] = [];
  let port: number;

  beforeAll(async () => {
    // The Slack webhook is a server on loopback; nothing leaves the machine.
    webhook = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        posted.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    const file = writeConfig("staging");
    const secrets = path.join(path.dirname(file), "secrets");
    fs.writeFileSync(path.join(secrets, "slack-webhook-url"), `http://127.0.0.1:${(webhook.address() as { port: number }).port}/slack\n`);
    // Only the waiting times are shortened, so the test does not wait 30 s for the first notification.
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("group_wait: 30s", "group_wait: 1s"));
    port = await freePort();
    const storage = tempDir("mcp-alertmanager-");
    server = startProcess("prometheus-alertmanager", [
      `--config.file=${file}`,
      `--storage.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ]);
    await waitForPort(port).catch((e) => {
      throw new Error(`${e.message}\n${server.output()}`);
    });
  });

  afterAll(async () => {
    await server?.stop();
    webhook?.close();
  });

  const api = (method: string, route: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${port}/api/v2${route}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

  it("silences the warning of an alert that is also critical, and notifies Slack of the critical one", async () => {
    const labels = { alertname: "AppErrorRate", namespace: "mcp-staging", app: "api" };
    const alert = (severity: string, priority: string) => ({
      labels: { ...labels, severity, priority },
      annotations: { summary: `api: errors (${severity})`, description: "d", runbook_url: "https://example.com/docs/runbook.md#alert-apperrorrate" },
    });
    expect((await api("POST", "/alerts", [alert("warning", "P2"), alert("critical", "P0")])).status).toBe(200);

    const deadline = Date.now() + 15000;
      type AlertState = { labels: { severity: string }; status: { state: string; inhibitedBy: string[] } };
    let states: AlertState[] = [];
    while (Date.now() < deadline) {
      states = (await (await api("GET", "/alerts")).json()) as AlertState[];
      if (states.length === 2 && states.every((s) => s.status.state !== "unprocessed") && posted.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const bySeverity = Object.fromEntries(states.map((s) => [s.labels.severity, s.status]));
    expect(bySeverity.critical.state).toBe("active");
    expect(bySeverity.warning.state).toBe("suppressed");
    expect(bySeverity.warning.inhibitedBy.length).toBe(1);
    expect(posted.map((p) => [p.channel, p.attachments[0].title])).toEqual([["#incidents-staging", "[P0] AppErrorRate (firing)"]]);
  });
});
