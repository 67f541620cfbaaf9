/**
 * Pure rendering of the stack's monitoring: PodMonitors for every metrics endpoint (MON-16), the
 * uptime Probe (MON-2), the PrometheusRule (rules.ts), the Grafana dashboard ConfigMap (MON-13), the
 * Alertmanager configuration (MON-15) and the values of the kube-prometheus-stack chart.
 */
import type * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import { issuedByCertManager, type PlatformConfig } from "../../config";
import { MANAGED_LABELS, selectorLabels } from "../labels";
import { renderAlertmanagerConfig } from "./alertmanager";
import { renderDashboard } from "./dashboards";
import { renderLogRuleGroups } from "./log-rules";
import { type PushgatewayManifests, renderPushgateway } from "./pushgateway";
import { renderRuleGroups } from "./rules";
import { containerResources, type CustomResourceManifest } from "../resources";
import { redisNames } from "../redis/public";
import { postgresNames } from "../postgres/public";
import { monitoringEndpoints } from "./public";
import { edgeNames } from "../edge/public";
import { drillPodLabels } from "../backup/public";
import { componentOf } from "../service/public";

/** Label the kube-prometheus-stack release selects by default; set on everything it should pick up. */
const RELEASE = "kube-prometheus-stack";
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-mcp-platform";

type Relabeling = { action: string; sourceLabels: string[]; targetLabel: string };

export interface MonitoringManifests {
  podMonitors: CustomResourceManifest[];
  probe?: CustomResourceManifest;
  rule: CustomResourceManifest;
  dashboard: k8s.types.input.core.v1.ConfigMap;
  /** alertmanager.yaml, for the Secret the monitoring stack's Alertmanager loads. */
  alertmanagerConfig: string;
  /** Loki ruler rules (MON-10), picked up by the Loki chart's rules sidecar. */
  logRules?: k8s.types.input.core.v1.ConfigMap;
  /** Where the restore drill pushes its results. */
  pushgateway?: PushgatewayManifests;
}

export function renderMonitoring(config: PlatformConfig): MonitoringManifests {
  const ns = config.namespace;
  const labels = { ...MANAGED_LABELS, release: RELEASE };
  const metadata = (name: string) => ({ name, namespace: ns, labels });
  const has = {
    postgres: !!config.postgres,
    postgresInstances: config.postgres?.instances ?? 0,
    backups: !!config.postgres && !!config.backups,
    preReleaseBackup: !!config.backups?.preReleaseBackup,
    drill: !!config.postgres && !!config.backups?.drill.enabled,
    redisCache: !!config.redis?.cache,
    redisQueue: !!config.redis?.queue,
    edge: !!config.edge,
    certificate: !!config.edge && issuedByCertManager(config.edge.tls),
    quota: !!config.quota,
  };
  /** A PodMonitor that labels every series with `app` (and `color` for blue-green pods, `cluster` for CloudNativePG's). */
  const podMonitor = (name: string, selector: Record<string, string>, port: string, path = "/metrics", app?: string, extra: Relabeling[] = []): CustomResourceManifest => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: metadata(name),
    spec: {
      selector: { matchLabels: selector },
      podMetricsEndpoints: [
        {
          port,
          path,
          interval: "30s",
          relabelings: [
            app
              ? { action: "replace", targetLabel: "app", replacement: app }
              : { action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], targetLabel: "app" },
            { action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_mcp_platform_io_color"], targetLabel: "color" },
            ...extra,
          ],
        },
      ],
    },
  });

  const podMonitors: CustomResourceManifest[] = [
    ...Object.entries(config.services)
      .filter(([, svc]) => svc.metrics.enabled)
      .map(([name, svc]) =>
        podMonitor(
          name,
          { ...selectorLabels(name, config.environment), "app.kubernetes.io/component": componentOf(svc) },
          svc.metrics.port !== undefined && svc.metrics.port !== svc.port ? "metrics" : "http",
          svc.metrics.path,
        ),
      ),
    ...(["cache", "queue"] as const).filter((role) => config.redis?.[role]).map((role) => podMonitor(redisNames(role).name, redisNames(role).selector, "metrics")),
    ...(config.edge ? [podMonitor("edge", edgeNames().selector, "metrics")] : []),
    // The instance manager serves CloudNativePG's and the barman-cloud plugin's metrics, neither with the cluster's name: the pod label gives it.
    ...(config.postgres
      ? [podMonitor("postgres", postgresNames().clusterSelector, "metrics", "/metrics", "postgres", [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_cnpg_io_cluster"], targetLabel: "cluster" }])]
      : []),
    ...(config.postgres?.pooler ? [podMonitor("postgres-pooler", postgresNames().poolerSelector, "metrics", "/metrics", "postgres-pooler")] : []),
  ];

  const uptime = config.monitoring.uptime;
  const hostname = config.edge?.hostname;
  const probe: CustomResourceManifest | undefined = hostname === undefined ? undefined : {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Probe",
    metadata: metadata("uptime"),
    spec: {
      jobName: "uptime",
      interval: uptime.interval,
      scrapeTimeout: uptime.timeout,
      module: "http_2xx",
      prober: { url: uptime.prober },
      targets: { staticConfig: { static: uptime.paths.map((path) => `https://${hostname}${path}`), labels: { probe: "uptime", namespace: ns } } },
    },
  };

  return {
    podMonitors,
    probe,
    rule: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: metadata("mcp-platform"),
      spec: { groups: renderRuleGroups(config.monitoring, { namespace: ns, runbookUrl: config.monitoring.runbookUrl, has, tenants: config.tenants }) },
    },
    dashboard: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "dashboard-overview", namespace: ns, labels: { ...labels, grafana_dashboard: "1" } },
      data: { "mcp-platform-overview.json": JSON.stringify(renderDashboard({ namespace: ns, has }), null, 2) },
    },
    alertmanagerConfig: stringify(renderAlertmanagerConfig(config.monitoring)),
    pushgateway: has.drill
      ? renderPushgateway({ namespace: ns, monitoringNamespace: config.monitoring.namespace, image: config.monitoring.pushgateway.image, clients: [drillPodLabels], release: RELEASE })
      : undefined,
    logRules: config.monitoring.logs.enabled
      ? {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "loki-rules", namespace: ns, labels: { ...labels, loki_rule: "1" } },
          data: {
            [`${ns}.yaml`]: stringify({ groups: renderLogRuleGroups(config.monitoring, { namespace: ns, runbookUrl: config.monitoring.runbookUrl }) }, { lineWidth: 0 }),
          },
        }
      : undefined,
  };
}

/** Values of the grafana/loki chart: one binary, filesystem storage, the ruler reading our rule ConfigMaps. */
export function lokiValues(config: PlatformConfig): Record<string, unknown> {
  const endpoints = monitoringEndpoints(config.monitoring.namespace);
  return {
    deploymentMode: "SingleBinary",
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: "filesystem" },
      schemaConfig: { configs: [{ from: "2024-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } }] },
      limits_config: { retention_period: config.monitoring.logs.retention },
      compactor: { retention_enabled: true, delete_request_store: "filesystem" },
      rulerConfig: { alertmanager_url: endpoints.alertmanager, enable_api: true, storage: { type: "local", local: { directory: "/rules" } } },
    },
    singleBinary: { replicas: 1 },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    sidecar: { rules: { enabled: true, label: "loki_rule", searchNamespace: "ALL", folder: "/rules/fake" } },
  };
}

/** Values of the kube-prometheus-stack chart: select every rule and monitor, keep data, load our Alertmanager config. */
export function monitoringStackValues(config: PlatformConfig): Record<string, unknown> {
  const stack = config.monitoring.stack;
  return {
    prometheus: {
      prometheusSpec: {
        retention: stack.retention,
        resources: containerResources(stack.resources),
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        storageSpec: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: stack.storage } } } } },
      },
    },
    alertmanager: { alertmanagerSpec: { configSecret: ALERTMANAGER_CONFIG_SECRET, secrets: [config.monitoring.alerting.receiversSecret] } },
    grafana: {
      sidecar: { dashboards: { enabled: true, label: "grafana_dashboard", searchNamespace: "ALL" } },
      additionalDataSources: [
        ...(config.monitoring.logs.enabled ? [{ name: "Loki", type: "loki", url: monitoringEndpoints(config.monitoring.namespace).loki }] : []),
        ...(config.monitoring.tracing.enabled ? [{ name: "Tempo", type: "tempo", url: monitoringEndpoints(config.monitoring.namespace).tempoQuery }] : []),
      ],
    },
  };
}
