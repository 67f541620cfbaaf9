/** The services' rules and panels: request, error and latency figures per service and per colour, restarts per colour (MON-3, MON-4, MON-9, REL-4). */
import type { AlertingRule, DashboardContext, Panel, PartRules, RecordingRule, RuleKit } from "../monitoring/public";

/** A blue-green pod's name: its Deployment's (<service>-<colour>), then the ReplicaSet's and the pod's hashes. */
export const COLOR_POD = "(.+)-(blue|green)-[a-z0-9]+-[a-z0-9]+";

export function serviceRules(kit: RuleKit): PartRules {
  const { ns, pair, errorRatioRules } = kit;
  const t = kit.thresholds;
  const m = kit.monitoring.metrics;
  // A colour is judged on its own only with enough traffic to judge: one failed request of three is not a 33 % error rate.
  const enoughTraffic = ` and on (namespace, app, color) app_color:http_requests:rate5m{${ns}} >= ${t.colorMinRequestRate}`;
  const recording: RecordingRule[] = [
    // Per service (both colours together), and per service and colour: a canary or a newly promoted
    // colour is judged on its own traffic, which the service-wide figures dilute (MON-3, MON-4, REL-4).
    ...([
      ["app", "namespace, app", ""],
      ["app_color", "namespace, app, color", ',color!=""'],
    ] as const).flatMap(([level, by, selector]) => [
      ...errorRatioRules(level, by, selector),
      ...(level === "app" ? [0.5, 0.95, 0.99] : [0.95]).map((q) => ({
        record: `${level}:http_request_duration_seconds:p${Math.round(q * 100)}_5m`,
        expr: `histogram_quantile(${q}, sum by (${by}, le) (rate(${m.duration}_bucket{${ns}${selector}}[5m])))`,
      })),
    ]),
    // Restarts per service and colour (MON-9, for npm run analyze): kube-state-metrics names the pod, whose
    // name is its Deployment's (<service>-<colour>) followed by the ReplicaSet's and the pod's hashes.
    {
      record: "app_color:pod_restarts:increase5m",
      expr: `sum by (namespace, app, color) (label_replace(label_replace(increase(kube_pod_container_status_restarts_total{${ns},pod=~"${COLOR_POD}"}[5m]), "app", "$1", "pod", "${COLOR_POD}"), "color", "$2", "pod", "${COLOR_POD}"))`,
    },
  ];
  const alerts: AlertingRule[] = [
    ...pair(
      "AppErrorRate",
      `app:http_error_ratio:rate5m{${ns}}`,
      t.errorRate,
      "5m",
      "{{ $labels.app }}: {{ $value | humanizePercentage }} of requests fail",
      "More than the threshold of {{ $labels.app }}'s responses in {{ $labels.namespace }} are errors ({{ $value | humanizePercentage }} over 5 minutes). After a release, roll back (MON-3).",
    ),
    ...pair(
      "AppColorErrorRate",
      `app_color:http_error_ratio:rate5m{${ns}}`,
      t.errorRate,
      "5m",
      "{{ $labels.app }} {{ $labels.color }}: {{ $value | humanizePercentage }} of requests fail",
      "The {{ $labels.color }} colour of {{ $labels.app }} in {{ $labels.namespace }} answers {{ $value | humanizePercentage }} of its own requests with errors, whatever the service-wide rate. A canary or a new release on it: abort the canary or roll back (MON-3, REL-4).",
      enoughTraffic,
    ),
    ...pair(
      "AppLatencyP95",
      `app:http_request_duration_seconds:p95_5m{${ns}}`,
      t.latencyP95Seconds,
      "5m",
      "{{ $labels.app }}: p95 response time {{ $value | humanizeDuration }}",
      "The 95th percentile response time of {{ $labels.app }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} (MON-4).",
    ),
    ...pair(
      "AppColorLatencyP95",
      `app_color:http_request_duration_seconds:p95_5m{${ns}}`,
      t.latencyP95Seconds,
      "5m",
      "{{ $labels.app }} {{ $labels.color }}: p95 response time {{ $value | humanizeDuration }}",
      "The 95th percentile response time of the {{ $labels.color }} colour of {{ $labels.app }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }}. A canary or a new release on it: abort the canary or roll back (MON-4, REL-4).",
      enoughTraffic,
    ),
    ...(t.latencyP95Baseline
      ? pair(
          "AppLatencyRegression",
          // Apps without a baseline (new, or idle then) have no series and stay quiet.
          `app:http_request_duration_seconds:p95_5m{${ns}} / app:http_request_duration_seconds:p95_5m{${ns}} offset ${t.latencyP95Baseline.offset}`,
          t.latencyP95Baseline,
          "10m",
          "{{ $labels.app }}: p95 response time {{ $value | humanize }}x its baseline",
          `The 95th percentile response time of {{ $labels.app }} in {{ $labels.namespace }} is {{ $value | humanize }} times what it was ${t.latencyP95Baseline.offset} earlier. After a release, roll back (MON-4).`,
        )
      : []),
  ];
  return { recording, alerts };
}

/** The services' panels: request rate, error rate (also per colour), latency. */
export function servicePanels({ namespace }: DashboardContext): Panel[] {
  const ns = `namespace="${namespace}"`;
  return [
    { title: "Request rate", unit: "reqps", targets: [{ expr: `app:http_requests:rate5m{${ns}}`, legend: "{{app}}" }] },
    { title: "Error rate", unit: "percentunit", targets: [{ expr: `app:http_error_ratio:rate5m{${ns}}`, legend: "{{app}}" }] },
    // A canary or a newly promoted colour beside the stable one (MON-3, MON-4, REL-4).
    {
      title: "Error rate and p95 by colour",
      unit: "percentunit",
      targets: [
        { expr: `app_color:http_error_ratio:rate5m{${ns}}`, legend: "{{app}} {{color}} errors" },
        { expr: `app_color:http_request_duration_seconds:p95_5m{${ns}}`, legend: "{{app}} {{color}} p95 (s)" },
      ],
    },
    {
      title: "Latency",
      unit: "s",
      targets: [50, 95, 99].map((q) => ({ expr: `app:http_request_duration_seconds:p${q}_5m{${ns}}`, legend: `{{app}} p${q}` })),
    },
  ];
}
