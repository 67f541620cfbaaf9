/** The namespace's rule: the quota's use (CAP-4). */
import type { AlertingRule, PartRules, RuleKit } from "../monitoring/public";

export function namespaceRules(kit: RuleKit): PartRules {
  const { ns, has, pair } = kit;
  const t = kit.thresholds;
  const alerts: AlertingRule[] = [
    ...(has.quota
      ? pair(
          "CapacityQuota",
          `max by (namespace, resource) (kube_resourcequota{${ns},type="used"} / ignoring (type) kube_resourcequota{${ns},type="hard"})`,
          t.capacity,
          "15m",
          "{{ $labels.resource }} at {{ $value | humanizePercentage }} of the namespace quota",
          "The stack uses {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota in {{ $labels.namespace }}: plan capacity before the next release (CAP-4).",
        )
      : []),
  ];
  return { alerts };
}
