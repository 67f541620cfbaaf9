/** Log aggregation and tracing (MON-10, MON-14): Loki rules parsed with Grafana's LogQL grammar, wiring in both stacks. */
import { parser } from "@grafana/lezer-logql";
import { parse } from "yaml";
import { objects, render, STACKS, type K8sObject } from "../harness";
import type { Plan } from "../../tools/render-stack";

/** Parses LogQL with the grammar Grafana's editor uses; returns the text of every syntax error. */
function logqlErrors(query: string): string[] {
  const errors: string[] = [];
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`${node.from}: ${query.slice(Math.max(0, node.from - 10), node.to + 10)}`);
    },
  });
  return errors;
}

const plans = new Map<string, Plan>();
beforeAll(async () => {
  for (const stack of STACKS) plans.set(stack, await render(stack));
});

describe("log alerts", () => {
  const rules = () => {
    const map = objects(plans.get("production")!).get("ConfigMap/loki-rules") as K8sObject;
    return parse(map.data["mcp-production.yaml"]).groups[0].rules as { alert: string; expr: string; labels: Record<string, string> }[];
  };

  it("alert on ERROR/CRITICAL lines and on each named error code, with valid LogQL", () => {
    expect(rules().map((r) => [r.alert, r.labels.code ?? ""])).toEqual([
      ["LogErrors", ""],
      ["LogErrorCode", "AUTH_FAILED"],
      ["LogErrorCode", "ORDERDESK_ERROR"],
    ]);
    for (const rule of rules()) expect({ expr: rule.expr, errors: logqlErrors(rule.expr) }).toEqual({ expr: rule.expr, errors: [] });
  });

  it("alert on a phrase as well as a code, as a valid LogQL line filter", async () => {
    const plan = await render("production", (v) => ((v["mcp-platform:monitoring"] as { logs: { errorCodes: string[] } }).logs.errorCodes = ["authentication failed"]));
    const map = objects(plan).get("ConfigMap/loki-rules") as K8sObject;
    const [rule] = (parse(map.data["mcp-production.yaml"]).groups[0].rules as { alert: string; expr: string; labels: Record<string, string> }[]).filter((r) => r.alert === "LogErrorCode");
    expect(rule.labels.code).toBe("authentication failed");
    expect(rule.expr).toContain('|= "authentication failed"');
    expect(logqlErrors(rule.expr)).toEqual([]);
  });

  it("the grammar finds a broken query (the check can fail)", () => {
    expect(logqlErrors('sum(count_over_time({namespace="ns"} |= [5m]))')).not.toEqual([]);
  });

  it("are only there where logs are on", () => {
    expect(objects(plans.get("staging")!).has("ConfigMap/loki-rules")).toBe(false);
    const stackReleases = (stack: string) => plans.get(stack)!.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => r.name);
    expect(stackReleases("production")).toEqual(expect.arrayContaining(["monitoring-stack-loki", "monitoring-stack-promtail", "monitoring-stack-tempo"]));
    expect(stackReleases("staging")).not.toContain("monitoring-stack-loki");
  });
});

describe.each(STACKS)("tracing in the %s stack", (stack) => {
  it(stack === "production" ? "points the services' OpenTelemetry exporters at Tempo, and lets them reach it" : "is off", () => {
    const api = objects(plans.get(stack)!).get("Deployment/api-blue") as K8sObject;
    const env = new Map((api.spec.template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
    const egress = (objects(plans.get(stack)!).get("NetworkPolicy/api") as K8sObject).spec.egress;
    const toMonitoring = { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 4317 }, { protocol: "TCP", port: 4318 }] };
    if (stack === "production") {
      expect(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")).toBe("http://tempo.monitoring.svc:4317");
      expect(env.get("OTEL_SERVICE_NAME")).toBe("api");
      expect(egress).toContainEqual(toMonitoring);
    } else {
      expect(env.has("OTEL_EXPORTER_OTLP_ENDPOINT")).toBe(false);
      expect(egress).not.toContainEqual(toMonitoring);
    }
  });
});
