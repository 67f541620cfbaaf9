/** The edge's rules: the public uptime probe (MON-2) and the certificate's expiry (MON-12, EDGE-3). */
import { durationSeconds, secondsToDuration, type AlertingRule, type PartRules, type RuleKit } from "../monitoring/public";

export function edgeRules(kit: RuleKit): PartRules {
  const { ns, has, alert, monitoring } = kit;
  const t = kit.thresholds;
  const alerts: AlertingRule[] = [
    ...(has.certificate
      ? (["warning", "critical"] as const).map((severity) =>
          alert(
            "CertificateExpiry",
            severity,
            // cert-manager's metrics carry the Certificate's namespace: its ServiceMonitor keeps them (honorLabels).
            `(min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds{${ns}}) - time()) / 86400 < ${t.certificateExpiryDays[severity]}`,
            "1h",
            "Certificate {{ $labels.name }} expires in {{ $value | humanize }} days",
            "The TLS certificate {{ $labels.name }} in {{ $labels.namespace }} has not been renewed (MON-12, EDGE-3).",
          ),
        )
      : []),
    ...(has.edge
      ? [
          alert(
            "UptimeProbeFailed",
            "critical",
            `probe_success{${ns},probe="uptime"} == 0`,
            secondsToDuration((monitoring.uptime.failures - 1) * durationSeconds(monitoring.uptime.interval)),
            "The public health check fails",
            `{{ $labels.instance }} failed ${monitoring.uptime.failures} checks in a row (MON-2).`,
          ),
        ]
      : []),
  ];
  return { alerts };
}
