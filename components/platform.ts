/**
 * The whole stack from a validated configuration: the namespace, generated secrets and every app
 * service, on the kubeconfig context the stack names. Returns the stack outputs.
 */
import { Provider } from "@pulumi/kubernetes/provider";
import type * as pulumi from "@pulumi/pulumi";
import { type DataUse, imageReference, issuedByCertManager, type PlatformConfig } from "../config";
import { ClusterAddonsComponent } from "./addons";
import { BackupJobs, BackupStorage } from "./backup";
import { Edge } from "./edge";
import { Monitoring, MonitoringStack } from "./monitoring";
import { selectorLabels } from "./labels";
import { Postgres } from "./postgres";
import { Redis } from "./redis";
import { StackNamespace } from "./namespace";
import { Volumes } from "./volumes";
import { AppSecrets } from "./secrets";
import { AppService, colourPlan, stackContext } from "./service";
import { Tenants } from "./tenants";
import { tenantJobLabels, tenantManagedRoles } from "./tenants/public";
import { backupJobLabels } from "./backup/public";

export function buildPlatform(config: PlatformConfig) {
  const provider = config.kubeContext ? new Provider("kubernetes", { context: config.kubeContext }) : undefined;
  const base: pulumi.ComponentResourceOptions = provider ? { providers: [provider] } : {};

  const namespace = new StackNamespace("stack", { config }, base);
  const dependsOn: pulumi.Resource[] = [namespace];
  if (Object.keys(config.secrets.generated).length > 0) {
    dependsOn.push(new AppSecrets("app-secrets", { namespace: config.namespace, secrets: config.secrets }, { ...base, dependsOn }));
  }
  const context = stackContext(config);
  const production = config.environment === "production";
  const hasTenants = Object.keys(config.tenants ?? {}).length > 0;
  if (Object.keys(config.volumes).length > 0) {
    dependsOn.push(new Volumes("volumes", { config, protect: production }, { ...base, dependsOn: [namespace] }));
  }
  const clientsOf = (use: DataUse) =>
    Object.entries(config.services)
      .filter(([, svc]) => svc.uses.includes(use))
      .map(([name]) => selectorLabels(name, config.environment));

  // Monitors and rules need the prometheus-operator's CRDs: after the monitoring stack, if this stack installs it.
  const monitoringStack = config.monitoring.stack.install ? new MonitoringStack("monitoring-stack", { config }, base) : undefined;
  const addons = new ClusterAddonsComponent(
    "cluster-addons",
    {
      config: config.clusterAddons,
      needsPostgres: !!config.postgres,
      needsBackups: !!config.backups,
      needsCertManager: !!config.edge && issuedByCertManager(config.edge.tls),
      monitoringStack,
    },
    base,
  );
  const backupStorage =
    config.backups && new BackupStorage(
      "backups",
      { config: config.backups, namespace: config.namespace, protect: production, restoreSource: restoreSourceOf(config.postgres?.restoreFrom) },
      { ...base, dependsOn: [namespace] },
    );
  let backupJobs: BackupJobs | undefined;
  if (config.postgres) {
    const postgresDependsOn: pulumi.Resource[] = [namespace, addons.cloudnativePg, addons.barmanCloud, backupStorage].filter((r): r is NonNullable<typeof r> => r !== undefined);
    const postgres = new Postgres(
      "postgres",
      {
        config: config.postgres,
        context: {
          namespace: config.namespace,
          monitoringNamespace: config.monitoring.namespace,
          operatorNamespace: config.clusterAddons.cloudnativePg.namespace,
          // The logical backup dumps the database directly.
          directClients: [...clientsOf("postgres"), ...(config.backups ? [backupJobLabels] : []), ...(hasTenants ? [tenantJobLabels] : [])],
          pooledClients: clientsOf("postgres-pooled"),
          managedRoles: tenantManagedRoles(config, config.postgres),
        },
        protect: production,
        backups: config.backups,
      },
      // The Cluster needs the operator's CRDs and webhook, the plugin and the bucket.
      { ...base, dependsOn: postgresDependsOn },
    );
    dependsOn.push(postgres);
    // The tenants' Jobs run once the database is ready; the services start once their keys exist.
    if (hasTenants) dependsOn.push(new Tenants("tenants", { config, postgres: config.postgres, database: postgres, protect: production }, { ...base, dependsOn: [namespace] }));
    if (config.backups) {
      backupJobs = new BackupJobs(
        "backup-jobs",
        {
          backups: config.backups,
          postgres: config.postgres,
          namespace: config.namespace,
          monitoringNamespace: config.monitoring.namespace,
          operatorNamespace: config.clusterAddons.cloudnativePg.namespace,
          tenants: config.tenants,
        },
        { ...base, dependsOn: [postgres] },
      );
    }
  }
  for (const role of ["cache", "queue"] as const) {
    if (!config.redis?.[role]) continue;
    const context = { namespace: config.namespace, monitoringNamespace: config.monitoring.namespace, clients: clientsOf(`redis-${role}`) };
    dependsOn.push(new Redis(`redis-${role}`, { role, config: config.redis, context, protect: production }, { ...base, dependsOn: [namespace] }));
  }
  new Monitoring("monitoring", { config }, { ...base, dependsOn: monitoringStack ? [namespace, monitoringStack] : [namespace] });

  const beforeRelease = config.backups?.preReleaseBackup ? backupJobs?.preRelease.bind(backupJobs) : undefined;
  const services = Object.entries(config.services).map(([name, service]) => new AppService(name, { context, service, beforeRelease }, { ...base, dependsOn }));
  if (config.edge) {
    // nginx resolves its upstreams' Services at start: they come first, as does cert-manager.
    const edgeDependsOn: pulumi.Resource[] = [namespace, ...services, ...(addons.certManager ? [addons.certManager] : [])];
    new Edge(
      "edge",
      { config: config.edge, context: { namespace: config.namespace, monitoringNamespace: config.monitoring.namespace, environment: config.environment, services: config.services } },
      { ...base, dependsOn: edgeDependsOn },
    );
  }

  return {
    environment: config.environment,
    namespace: config.namespace,
    /** The public address: point DNS for the hostname at the edge Service's load balancer. */
    url: config.edge ? `https://${config.edge.hostname}/` : null,
    /** What npm run promote last brought here, as recorded in the stack file (REL-6). */
    promotion: config.promotion ?? null,
    /** Per service: the active colour, the image each Deployment runs, and the in-cluster address. */
    services: Object.fromEntries(
      Object.entries(config.services).map(([name, svc]) => [
        name,
        {
          activeColor: svc.blueGreen?.activeColor ?? null,
          images: Object.fromEntries(colourPlan(name, svc).map((e) => [e.color ?? "default", imageReference(e.image)])),
          address: svc.port === undefined ? null : `${name}.${config.namespace}.svc.cluster.local:${svc.port}`,
        },
      ]),
    ),
  };
}

/** The bucket a failover restores from, when it is not the stack's own. */
function restoreSourceOf(restoreFrom: NonNullable<PlatformConfig["postgres"]>["restoreFrom"]): { bucket: string; region: string } | undefined {
  return restoreFrom?.bucket && restoreFrom.region ? { bucket: restoreFrom.bucket, region: restoreFrom.region } : undefined;
}
