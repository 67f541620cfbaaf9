/**
 * The Alertmanager configuration with the real tools: `amtool check-config` for both stacks, and
 * `amtool config routes test` showing each priority reaching its receivers (MON-15).
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { parsePlatformConfig, rawPlatformConfig } from "../../config";
import { renderAlertmanagerConfig } from "../../components/monitoring/alertmanager";
import { loadStackConfig } from "../../tools/stack-config";
import { PROJECT_DIR, STACKS } from "../harness";
import { hasBinary, runTool, tempDir } from "./real-tools";

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
