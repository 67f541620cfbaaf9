import { Release } from "@pulumi/kubernetes/helm/v3/release";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterAddons } from "../config";

/**
 * Cluster-scoped add-ons, installed once per cluster by the stack whose config says so. Stacks that
 * share a cluster set `install: false` on all but one.
 */
export class ClusterAddonsComponent extends pulumi.ComponentResource {
  /** The CloudNativePG operator release, when this stack installs it. */
  readonly cloudnativePg?: Release;
  /** The cert-manager release, when this stack installs it. */
  readonly certManager?: Release;
  /** The barman-cloud plugin release, when this stack installs it. */
  readonly barmanCloud?: Release;

  constructor(
    name: string,
    args: {
      config: ClusterAddons;
      needsPostgres: boolean;
      needsBackups: boolean;
      needsCertManager: boolean;
      /** The monitoring stack this stack installs: cert-manager's ServiceMonitor needs its CRDs. */
      monitoringStack?: pulumi.Resource;
    },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("mcp-platform:platform:ClusterAddons", name, {}, opts);
    const release = (
      chart: string,
      releaseName: string,
      repo: string,
      addon: ClusterAddons[keyof ClusterAddons],
      values: Record<string, unknown>,
      dependsOn: pulumi.Resource[] = [],
    ) =>
      new Release(
        `${name}-${chart}`,
        {
          name: releaseName,
          chart,
          version: addon.version,
          namespace: addon.namespace,
          createNamespace: true,
          repositoryOpts: { repo },
          // Roll back a failed install or upgrade; wait for the operator (and its webhook) to be ready.
          atomic: true,
          values,
        },
        { parent: this, dependsOn },
      );
    const { cloudnativePg, certManager, barmanCloud } = args.config;
    const needsBarman = args.needsPostgres && args.needsBackups;
    if (cloudnativePg.install && args.needsPostgres) {
      this.cloudnativePg = release("cloudnative-pg", "cnpg", "https://cloudnative-pg.github.io/charts", cloudnativePg, {
        monitoring: { podMonitorEnabled: false },
      });
    }
    if (certManager.install && (args.needsCertManager || needsBarman)) {
      // Its metrics (certificate expiry, MON-12) through the chart's ServiceMonitor. honorLabels keeps the
      // Certificate's namespace label, which the target's would otherwise rename to exported_namespace.
      this.certManager = release(
        "cert-manager",
        "cert-manager",
        "https://charts.jetstack.io",
        certManager,
        { crds: { enabled: true }, prometheus: { enabled: true, servicemonitor: { enabled: true, honorLabels: true } } },
        args.monitoringStack ? [args.monitoringStack] : [],
      );
    }
    if (barmanCloud.install && needsBarman) {
      // The plugin's certificates come from cert-manager; it extends the operator.
      const after = [this.cloudnativePg, this.certManager].filter((r): r is Release => r !== undefined);
      this.barmanCloud = release("plugin-barman-cloud", "barman-cloud", "https://cloudnative-pg.github.io/charts", barmanCloud, {}, after);
    }
    this.registerOutputs({});
  }
}
