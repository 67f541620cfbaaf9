/**
 * Alertmanager configuration (MON-15), rendered from config. Pure. Receivers' keys are read from
 * files of the receivers Secret mounted into Alertmanager, so no key passes through Pulumi.
 *
 * Routing by priority: P0 (critical) pages PagerDuty and posts to Slack; P1 (high) goes to Slack
 * and e-mail; P2 (warning) to Slack; P3 (info) to e-mail (Slack when there is no e-mail channel). A critical alert silences the warning of
 * the same alert for the same target.
 */
import type { MonitoringConfig } from "../../config";

/** Where the prometheus-operator mounts `alertmanagerSpec.secrets`. */
export const secretsDir = (secret: string) => `/etc/alertmanager/secrets/${secret}`;

export function renderAlertmanagerConfig(monitoring: MonitoringConfig, options: { secretsDir?: string } = {}): Record<string, unknown> {
  const a = monitoring.alerting;
  const dir = options.secretsDir ?? secretsDir(a.receiversSecret);
  const slack = {
    api_url_file: `${dir}/slack-webhook-url`,
    channel: a.slackChannel,
    send_resolved: true,
    title: '[{{ .CommonLabels.priority }}] {{ .CommonLabels.alertname }} ({{ .Status }})',
    text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}',
  };
  const email = a.email && {
    to: a.email.to,
    from: a.email.from,
    smarthost: a.email.smarthost,
    auth_username: a.email.username,
    auth_password_file: `${dir}/smtp-password`,
    require_tls: true,
    send_resolved: true,
  };
  const receiver = (name: string, parts: { slack?: boolean; pagerduty?: boolean; email?: boolean }) => ({
    name,
    ...(parts.slack ? { slack_configs: [slack] } : {}),
    ...(parts.pagerduty && a.pagerduty ? { pagerduty_configs: [{ routing_key_file: `${dir}/pagerduty-routing-key`, send_resolved: true }] } : {}),
    ...(parts.email && email ? { email_configs: [email] } : {}),
  });
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: "slack",
      group_by: ["alertname", "namespace", "app"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        { receiver: "pager", matchers: ['priority="P0"'], repeat_interval: "1h", continue: false },
        { receiver: "slack-and-email", matchers: ['priority="P1"'] },
        { receiver: "slack", matchers: ['priority="P2"'] },
        { receiver: "email", matchers: ['priority="P3"'], repeat_interval: "24h" },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ["alertname", "namespace", "app", "pod", "container", "persistentvolumeclaim", "resource", "name"],
      },
    ],
    receivers: [
      receiver("pager", { pagerduty: true, slack: true }),
      receiver("slack-and-email", { slack: true, email: true }),
      receiver("slack", { slack: true }),
      // Without an e-mail channel, P3 goes to Slack rather than nowhere.
      receiver("email", { email: true, slack: !email }),
    ],
  };
}
