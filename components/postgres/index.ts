import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackupsConfig, PostgresConfig } from "../../config";
import { generatedPassword } from "../password";
import { renderPostgres, type PostgresContext } from "./render";

export interface PostgresArgs {
  config: PostgresConfig;
  context: PostgresContext;
  /** Protect the Cluster (and so its volumes) from deletion: production. */
  protect: boolean;
  /** Where base backups and WAL go, when the stack has backup storage. */
  backups?: BackupsConfig;
}

/**
 * Postgres on CloudNativePG (DB-1): the Cluster with the application database and owner, whose
 * password is generated here and handed to the operator through a basic-auth Secret.
 */
export class Postgres extends pulumi.ComponentResource {
  readonly cluster: k8s.apiextensions.CustomResource;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:data:Postgres", name, {}, opts);
    const child = { parent: this };
    const password = generatedPassword(`${name}-password`, String(args.config.passwordRotation), this);
    const m = renderPostgres(args.config, args.context, password, args.backups);
    const credentials = new k8s.core.v1.Secret(`${name}-credentials`, m.credentials, child);
    const queries = new k8s.core.v1.ConfigMap(`${name}-monitoring-queries`, m.monitoringQueries, child);
    const stores = [
      m.objectStore && new k8s.apiextensions.CustomResource(`${name}-object-store`, m.objectStore, child),
      m.restoreSource && new k8s.apiextensions.CustomResource(`${name}-restore-source`, m.restoreSource, child),
    ].filter((store) => store !== undefined);
    this.cluster = new k8s.apiextensions.CustomResource(`${name}-cluster`, m.cluster, {
      ...child,
      dependsOn: [credentials, queries, ...stores],
      protect: args.protect,
    });
    if (m.scheduledBackup) new k8s.apiextensions.CustomResource(`${name}-daily-backup`, m.scheduledBackup, { ...child, dependsOn: [this.cluster] });
    if (m.pooler) new k8s.apiextensions.CustomResource(`${name}-pooler`, m.pooler, { ...child, dependsOn: [this.cluster] });
    new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, m.clusterPolicy, child);
    if (m.poolerPolicy) new k8s.networking.v1.NetworkPolicy(`${name}-pooler-netpol`, m.poolerPolicy, child);
    this.registerOutputs({});
  }
}
