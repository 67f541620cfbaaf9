import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../config";
import { ALERTMANAGER_CONFIG_SECRET, monitoringStackValues, renderMonitoring } from "./render";

/**
 * The monitoring stack (cluster-scoped, installed by one stack per cluster): its namespace, our
 * Alertmanager configuration, kube-prometheus-stack and the blackbox exporter for the uptime probe.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: { config: PlatformConfig }, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:monitoring:MonitoringStack", name, {}, opts);
    const child = { parent: this };
    const { monitoring } = args.config;
    const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: monitoring.namespace } }, child);
    const alertmanagerConfig = new k8s.core.v1.Secret(
      `${name}-alertmanager-config`,
      {
        metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace: monitoring.namespace },
        stringData: { "alertmanager.yaml": renderMonitoring(args.config).alertmanagerConfig },
      },
      { ...child, dependsOn: [namespace] },
    );
    const chart = (chartName: string, version: string, values: Record<string, unknown>, dependsOn: pulumi.Resource[]) =>
      new k8s.helm.v3.Release(
        `${name}-${chartName}`,
        {
          name: chartName,
          chart: chartName,
          version,
          namespace: monitoring.namespace,
          repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
          atomic: true,
          values,
        },
        { ...child, dependsOn },
      );
    this.release = chart("kube-prometheus-stack", monitoring.stack.version, monitoringStackValues(args.config), [alertmanagerConfig]);
    chart("prometheus-blackbox-exporter", monitoring.stack.blackboxVersion, {}, [namespace]);
    this.registerOutputs({});
  }
}

/** The stack's own monitoring objects: PodMonitors, the uptime Probe, the alert rules and the dashboard. */
export class Monitoring extends pulumi.ComponentResource {
  constructor(name: string, args: { config: PlatformConfig }, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:monitoring:Monitoring", name, {}, opts);
    const child = { parent: this };
    const m = renderMonitoring(args.config);
    for (const monitor of m.podMonitors) {
      new k8s.apiextensions.CustomResource(`${name}-podmonitor-${(monitor.metadata as { name: string }).name}`, monitor, child);
    }
    if (m.probe) new k8s.apiextensions.CustomResource(`${name}-uptime-probe`, m.probe, child);
    new k8s.apiextensions.CustomResource(`${name}-rules`, m.rule, child);
    new k8s.core.v1.ConfigMap(`${name}-dashboard`, m.dashboard, child);
    this.registerOutputs({});
  }
}
