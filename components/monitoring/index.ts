import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../config";
import { PLAIN_KEYS_ANNOTATION } from "../labels";
import { ALERTMANAGER_CONFIG_SECRET, lokiValues, monitoringStackValues, renderMonitoring } from "./render";
import { OTLP_GRPC_PORT, OTLP_HTTP_PORT, monitoringEndpoints } from "./public";

const PROMETHEUS_CHARTS = "https://prometheus-community.github.io/helm-charts";
const GRAFANA_CHARTS = "https://grafana.github.io/helm-charts";

/**
 * The monitoring stack (cluster-scoped, installed by one stack per cluster): its namespace, our
 * Alertmanager configuration, kube-prometheus-stack, the blackbox exporter for the uptime probe, and
 * Loki with promtail and Tempo when the stack turns logs and tracing on.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  readonly release: Release;

  constructor(name: string, args: { config: PlatformConfig }, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:monitoring:MonitoringStack", name, {}, opts);
    const child = { parent: this };
    const { monitoring } = args.config;
    const namespace = new corev1.Namespace(`${name}-namespace`, { metadata: { name: monitoring.namespace } }, child);
    const alertmanagerConfig = new corev1.Secret(
      `${name}-alertmanager-config`,
      {
        metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace: monitoring.namespace, annotations: { [PLAIN_KEYS_ANNOTATION]: "alertmanager.yaml" } },
        stringData: { "alertmanager.yaml": renderMonitoring(args.config).alertmanagerConfig },
      },
      { ...child, dependsOn: [namespace] },
    );
    const chart = (chartName: string, version: string, values: Record<string, unknown>, dependsOn: pulumi.Resource[], repo = PROMETHEUS_CHARTS) =>
      new Release(
        `${name}-${chartName}`,
        {
          name: chartName,
          chart: chartName,
          version,
          namespace: monitoring.namespace,
          repositoryOpts: { repo },
          atomic: true,
          values,
        },
        { ...child, dependsOn },
      );
    this.release = chart("kube-prometheus-stack", monitoring.stack.version, monitoringStackValues(args.config), [alertmanagerConfig]);
    chart("prometheus-blackbox-exporter", monitoring.stack.blackboxVersion, {}, [namespace]);
    if (monitoring.logs.enabled) {
      const loki = chart("loki", monitoring.logs.lokiVersion, lokiValues(args.config), [namespace], GRAFANA_CHARTS);
      chart("promtail", monitoring.logs.promtailVersion, { config: { clients: [{ url: `${monitoringEndpoints(monitoring.namespace).loki}/loki/api/v1/push` }] } }, [loki], GRAFANA_CHARTS);
    }
    if (monitoring.tracing.enabled) {
      chart(
        "tempo",
        monitoring.tracing.tempoVersion,
        { tempo: { receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` }, http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` } } } } } },
        [namespace],
        GRAFANA_CHARTS,
      );
    }
    this.registerOutputs({});
  }
}

/** The stack's own monitoring objects: PodMonitors, the uptime Probe, the alert rules (and log rules) and the dashboard. */
export class Monitoring extends pulumi.ComponentResource {
  constructor(name: string, args: { config: PlatformConfig }, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:monitoring:Monitoring", name, {}, opts);
    const child = { parent: this };
    const m = renderMonitoring(args.config);
    for (const monitor of m.podMonitors) {
      new CustomResource(`${name}-podmonitor-${(monitor.metadata as { name: string }).name}`, monitor, child);
    }
    if (m.probe) new CustomResource(`${name}-uptime-probe`, m.probe, child);
    new CustomResource(`${name}-rules`, m.rule, child);
    new corev1.ConfigMap(`${name}-dashboard`, m.dashboard, child);
    if (m.logRules) new corev1.ConfigMap(`${name}-log-rules`, m.logRules, child);
    if (m.pushgateway) {
      const service = new corev1.Service(`${name}-pushgateway`, m.pushgateway.service, child);
      new appsv1.StatefulSet(`${name}-pushgateway`, m.pushgateway.statefulSet, { ...child, dependsOn: [service] });
      new CustomResource(`${name}-podmonitor-pushgateway`, m.pushgateway.podMonitor, child);
      new networkingv1.NetworkPolicy(`${name}-pushgateway-netpol`, m.pushgateway.networkPolicy, child);
    }
    this.registerOutputs({});
  }
}
