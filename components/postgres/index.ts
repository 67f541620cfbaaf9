import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
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
  readonly cluster: CustomResource;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:data:Postgres", name, {}, opts);
    const child = { parent: this };
    const password = generatedPassword(`${name}-password`, String(args.config.passwordRotation), this);
    const m = renderPostgres(args.config, args.context, password, args.backups);
    const credentials = new corev1.Secret(`${name}-credentials`, m.credentials, child);
    const queries = new corev1.ConfigMap(`${name}-monitoring-queries`, m.monitoringQueries, child);
    const stores = [
      m.objectStore && new CustomResource(`${name}-object-store`, m.objectStore, child),
      m.restoreSource && new CustomResource(`${name}-restore-source`, m.restoreSource, child),
    ].filter((store) => store !== undefined);
    this.cluster = new CustomResource(`${name}-cluster`, m.cluster, {
      ...child,
      dependsOn: [credentials, queries, ...stores],
      protect: args.protect,
    });
    if (m.scheduledBackup) new CustomResource(`${name}-daily-backup`, m.scheduledBackup, { ...child, dependsOn: [this.cluster] });
    if (m.pooler) new CustomResource(`${name}-pooler`, m.pooler, { ...child, dependsOn: [this.cluster] });
    new networkingv1.NetworkPolicy(`${name}-netpol`, m.clusterPolicy, child);
    if (m.poolerPolicy) new networkingv1.NetworkPolicy(`${name}-pooler-netpol`, m.poolerPolicy, child);
    this.registerOutputs({});
  }
}
