/**
 * The runbooks' thresholds as Prometheus recording and alerting rules, rendered from config: each
 * part's own rules (its alerts.ts, through its public face), in the order of PARTS, and the rules
 * about every container and scrape target of the stack. Pure: the same groups go into the
 * PrometheusRule and through `promtool check rules` / `promtool test rules`.
 *
 * Series carry `namespace` and `app` (the pod's app.kubernetes.io/name, set by the PodMonitors), so
 * every rule is scoped to the stack's namespace and grouped by app.
 */
import type { MonitoringConfig } from "../../config";
import { backupRules } from "../backup/public";
import { edgeRules } from "../edge/public";
import { namespaceRules } from "../namespace/public";
import { postgresRules } from "../postgres/public";
import { redisRules } from "../redis/public";
import { serviceRules } from "../service/public";
import { tenantRules } from "../tenants/public";
import { ruleKit, type AlertingRule, type PartRules, type RuleGroup, type RuleKit, type RulesContext } from "./rule-kit";

/** Every part's rules, in the order they appear in the PrometheusRule. */
const PARTS: readonly ((kit: RuleKit) => PartRules)[] = [serviceRules, tenantRules, redisRules, postgresRules, backupRules, edgeRules, namespaceRules, stackRules];

/** Rules about every container, volume and scrape target of the stack, whichever part runs it (MON-6, MON-7, MON-9, MON-16). */
function stackRules(kit: RuleKit): PartRules {
  const { ns, alert, pair } = kit;
  const t = kit.thresholds;
  const alerts: AlertingRule[] = [
    ...pair(
      "VolumeUsage",
      `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}})`,
      t.disk,
      "10m",
      "Volume {{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full",
      "Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is {{ $value | humanizePercentage }} full (MON-6).",
    ),
    ...pair(
      "ContainerMemory",
      `(sum by (namespace, pod, container) (container_memory_working_set_bytes{${ns},container!=""}) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${ns},resource="memory"}))`,
      t.memory,
      "10m",
      "{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit",
      "Container {{ $labels.container }} of {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit (MON-7).",
    ),
    ...pair(
      "ContainerCPU",
      `(sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${ns},container!=""}[5m])) / sum by (namespace, pod, container) (kube_pod_container_resource_limits{${ns},resource="cpu"}))`,
      t.cpu,
      "15m",
      "{{ $labels.pod }}/{{ $labels.container }} uses {{ $value | humanizePercentage }} of its CPU limit",
      "Container {{ $labels.container }} of {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its CPU limit (MON-7).",
    ),
    alert(
      "PodRestarting",
      "high",
      `increase(kube_pod_container_status_restarts_total{${ns}}[5m]) > ${t.podRestarts}`,
      "1m",
      "{{ $labels.pod }}/{{ $labels.container }} restarted {{ $value | humanize }} times in 5 minutes",
      `Container {{ $labels.container }} of {{ $labels.pod }} restarted more than ${t.podRestarts} times in 5 minutes (MON-9).`,
    ),
    alert(
      "MetricsTargetDown",
      "warning",
      `up{${ns}} == 0`,
      "5m",
      "{{ $labels.job }} on {{ $labels.pod }} cannot be scraped",
      "Prometheus cannot scrape {{ $labels.pod }} ({{ $labels.job }}) in {{ $labels.namespace }} (MON-16).",
    ),
  ];
  return { alerts };
}

export function renderRuleGroups(monitoring: MonitoringConfig, ctx: RulesContext): RuleGroup[] {
  const kit = ruleKit(monitoring, ctx);
  const parts = PARTS.map((part) => part(kit));
  return [
    { name: "mcp-platform.recording", interval: "30s", rules: parts.flatMap((part) => part.recording ?? []) },
    { name: "mcp-platform.alerts", rules: parts.flatMap((part) => part.alerts) },
  ];
}
