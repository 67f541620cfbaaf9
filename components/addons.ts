import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterAddons } from "../config";

/**
 * Cluster-scoped add-ons, installed once per cluster by the stack whose config says so. Stacks that
 * share a cluster set `install: false` on all but one.
 */
export class ClusterAddonsComponent extends pulumi.ComponentResource {
  /** The CloudNativePG operator release, when this stack installs it. */
  readonly cloudnativePg?: k8s.helm.v3.Release;
  /** The cert-manager release, when this stack installs it. */
  readonly certManager?: k8s.helm.v3.Release;

  constructor(
    name: string,
    args: { config: ClusterAddons; needsPostgres: boolean; needsCertManager: boolean },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("mcp-platform:platform:ClusterAddons", name, {}, opts);
    const cnpg = args.config.cloudnativePg;
    if (cnpg.install && args.needsPostgres) {
      this.cloudnativePg = new k8s.helm.v3.Release(
        `${name}-cloudnative-pg`,
        {
          name: "cnpg",
          chart: "cloudnative-pg",
          version: cnpg.version,
          namespace: cnpg.namespace,
          createNamespace: true,
          repositoryOpts: { repo: "https://cloudnative-pg.github.io/charts" },
          // Wait for the operator's webhook before Clusters are created against it.
          atomic: true,
          values: { monitoring: { podMonitorEnabled: false } },
        },
        { parent: this },
      );
    }
    const certManager = args.config.certManager;
    if (certManager.install && args.needsCertManager) {
      this.certManager = new k8s.helm.v3.Release(
        `${name}-cert-manager`,
        {
          name: "cert-manager",
          chart: "cert-manager",
          version: certManager.version,
          namespace: certManager.namespace,
          createNamespace: true,
          repositoryOpts: { repo: "https://charts.jetstack.io" },
          atomic: true,
          values: { crds: { enabled: true } },
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
