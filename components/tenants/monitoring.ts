/** The tenants' rules (TEN-1, TEN-2, BAK-5): each tenant's error rate, where the app labels its requests with the tenant, and the tenants' Jobs. */
import { activeTenants } from "../../config";
import { JOB_NAMES } from "../backup/public";
import type { AlertingRule, PartRules, RecordingRule, RuleKit } from "../monitoring/public";

export function tenantRules(kit: RuleKit): PartRules {
  const { ns, alert, pair, failedJobs, errorRatioRules } = kit;
  const t = kit.thresholds;
  const m = kit.monitoring.metrics;
  const tenantIds = Object.keys(kit.tenants ?? {});
  const activeTenantIds = activeTenants(kit.tenants).map(([id]) => id);
  const recording: RecordingRule[] = [
    // Per tenant, where the app labels its requests with the tenant (monitoring.metrics.tenantLabel).
    ...(activeTenantIds.length ? errorRatioRules("tenant", `namespace, ${m.tenantLabel}`, `,${m.tenantLabel}=~"${activeTenantIds.join("|")}"`) : []),
  ];
  const alerts: AlertingRule[] = [
    ...(activeTenantIds.length
      ? pair(
          "TenantErrorRate",
          `tenant:http_error_ratio:rate5m{${ns}}`,
          t.errorRate,
          "5m",
          `Tenant {{ $labels.${m.tenantLabel} }}: {{ $value | humanizePercentage }} of requests fail`,
          `More than the threshold of tenant {{ $labels.${m.tenantLabel} }}'s requests in {{ $labels.namespace }} are errors ({{ $value | humanizePercentage }} over 5 minutes), whatever the service-wide rate (TEN-1).`,
        )
      : []),
    ...(tenantIds.length
      ? [
          alert(
            "TenantJobFailed",
            "high",
            // A tenant's provisioning and removal Jobs (tenant-<id>-...), and the Jobs of the tenants' backup CronJob (and those made from it).
            failedJobs(`(${[...tenantIds.map((id) => `tenant-${id}`), JOB_NAMES.tenants].join("|")})`),
            "1m",
            "Tenant Job {{ $labels.job_name }} failed",
            "A tenant's provisioning or removal Job, or the tenants' backup, failed in {{ $labels.namespace }}: the tenant is not verified, not removed, or not backed up (TEN-1, TEN-2, BAK-5).",
          ),
        ]
      : []),
  ];
  return { recording, alerts };
}
