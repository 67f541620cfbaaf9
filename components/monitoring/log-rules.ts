/**
 * Log-based alerts (MON-10) as Loki ruler rules: LogQL over the lines promtail ships, which carry
 * the pod's namespace and app labels. Pure. Same rule format as Prometheus, LogQL expressions.
 */
import type { MonitoringConfig } from "../../config";
import { PRIORITY, runbookAnchor, type AlertingRule, type RuleGroup } from "./rule-kit";
import { promqlString, templateLiteral } from "./escape";

export function renderLogRuleGroups(monitoring: MonitoringConfig, ctx: { namespace: string; runbookUrl: string }): RuleGroup[] {
  const logs = monitoring.logs;
  const selector = `{namespace="${ctx.namespace}"}`;
  const alert = (name: string, expr: string, labels: Record<string, string>, summary: string, description: string): AlertingRule => ({
    alert: name,
    expr,
    for: "5m",
    labels: { severity: "warning", priority: PRIORITY.warning, ...labels },
    annotations: { summary, description, runbook_url: templateLiteral(`${ctx.runbookUrl}#${runbookAnchor(name)}`) },
  });
  return [
    {
      name: "mcp-platform.logs",
      rules: [
        alert(
          "LogErrors",
          `sum by (namespace, app) (count_over_time(${selector} | json | __error__="" | ${logs.levelField}=~"(?i)error|critical" [5m])) > ${logs.errorsPerFiveMinutes}`,
          {},
          "{{ $labels.app }} logged {{ $value }} errors in 5 minutes",
          `{{ $labels.app }} in {{ $labels.namespace }} logs more than ${logs.errorsPerFiveMinutes} ERROR or CRITICAL lines per 5 minutes (MON-10).`,
        ),
        ...logs.errorCodes.map((code) =>
          alert(
            "LogErrorCode",
            `sum by (namespace, app) (count_over_time(${selector} |= ${promqlString(code)} [5m])) > ${logs.errorCodesPerFiveMinutes}`,
            { code: templateLiteral(code) },
            `{{ $labels.app }} logged ${templateLiteral(code)} {{ $value }} times in 5 minutes`,
            `${templateLiteral(code)} appears more than ${logs.errorCodesPerFiveMinutes} times per 5 minutes in {{ $labels.app }}'s logs in {{ $labels.namespace }} (MON-10).`,
          ),
        ),
      ],
    },
  ];
}
