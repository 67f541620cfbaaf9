/**
 * Pure rendering of Postgres on CloudNativePG: the application credentials Secret, the Cluster,
 * the optional PgBouncer Pooler and their NetworkPolicies.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { BackupsConfig, PostgresConfig } from "../../config";
import { clusterBackupSpec, objectStore, restoreSource, scheduledBackup } from "../backup/public";
import { POOLER_RESOURCES } from "../../config";
import { clientsRule, podPolicy, scrapeRule, tcpPorts } from "../network";
import { containerResources, type CustomResourceManifest } from "../resources";
import { instancePolicyRules, instanceSpec, POOLER_METRICS_PORT, POSTGRES_LABELS, POSTGRES_PORT, postgresNames } from "./public";

/** Custom metrics for the query-time alerts (MON-8): cumulative statement time and count from pg_stat_statements. */
export function monitoringQueries(database: string): string {
  return stringify({
    mcp_statements: {
      query: "SELECT coalesce(sum(total_exec_time), 0) / 1000 AS exec_seconds, coalesce(sum(calls), 0) AS calls FROM pg_stat_statements",
      target_databases: [database],
      metrics: [
        { exec_seconds: { usage: "COUNTER", description: "Time spent executing statements, in seconds" } },
        { calls: { usage: "COUNTER", description: "Statements executed" } },
      ],
    },
  });
}

export interface PostgresManifests {
  objectStore?: CustomResourceManifest;
  restoreSource?: CustomResourceManifest;
  scheduledBackup?: CustomResourceManifest;
  monitoringQueries: k8s.types.input.core.v1.ConfigMap;
  credentials: k8s.types.input.core.v1.Secret;
  cluster: CustomResourceManifest;
  pooler?: CustomResourceManifest;
  clusterPolicy: k8s.types.input.networking.v1.NetworkPolicy;
  poolerPolicy?: k8s.types.input.networking.v1.NetworkPolicy;
}

export interface PostgresContext {
  namespace: string;
  monitoringNamespace: string;
  /** Namespace of the CloudNativePG operator, which must reach the instances. */
  operatorNamespace: string;
  /** Pod selectors of the services that connect directly, and through the pooler. */
  directClients: Record<string, string>[];
  pooledClients: Record<string, string>[];
  /** CloudNativePG managed roles (the tenants' roles, TEN-1); none when the stack has no tenants. */
  managedRoles?: Record<string, unknown>[];
}

export function renderPostgres(pg: PostgresConfig, ctx: PostgresContext, password: pulumi.Input<string>, backups?: BackupsConfig): PostgresManifests {
  const names = postgresNames();
  const metadata = (name: string) => ({ name, namespace: ctx.namespace, labels: POSTGRES_LABELS });

  const cluster: CustomResourceManifest = {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    // The provider waits for the Cluster to be Ready before the services that use it roll out.
    metadata: { ...metadata(names.cluster), annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "900" } },
    spec: {
      instances: pg.instances,
      primaryUpdateStrategy: "unsupervised",
      primaryUpdateMethod: "switchover",
      enableSuperuserAccess: false,
      ...instanceSpec(pg),
      bootstrap: {
        initdb: {
          database: pg.database,
          owner: pg.owner,
          secret: { name: names.credentials },
          postInitApplicationSQL: ["CREATE EXTENSION IF NOT EXISTS pg_stat_statements"],
        },
      },
      ...(ctx.managedRoles?.length ? { managed: { roles: ctx.managedRoles } } : {}),
      monitoring: { customQueriesConfigMap: [{ name: `${names.cluster}-monitoring`, key: "queries.yaml" }] },
      affinity: {
        enablePodAntiAffinity: true,
        podAntiAffinityType: pg.antiAffinity,
        topologyKey: "kubernetes.io/hostname",
      },
      // WAL archiving and (for a restore) recovery replace nothing but the bootstrap.
      ...(backups ? clusterBackupSpec(pg, names.credentials) : {}),
    },
  };

  const pooler: CustomResourceManifest | undefined = pg.pooler && {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Pooler",
    metadata: metadata(names.pooler),
    spec: {
      cluster: { name: names.cluster },
      instances: pg.pooler.instances,
      type: "rw",
      pgbouncer: {
        poolMode: pg.pooler.poolMode,
        parameters: {
          max_client_conn: String(pg.pooler.maxClientConnections),
          default_pool_size: String(pg.pooler.defaultPoolSize),
        },
      },
      template: {
        metadata: { labels: POSTGRES_LABELS },
        spec: {
          containers: [{ name: "pgbouncer", resources: containerResources(POOLER_RESOURCES) }],
          // Spread over nodes as the instances are (postgres.antiAffinity), and over zones where there are.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: pg.antiAffinity === "required" ? "DoNotSchedule" : "ScheduleAnyway",
              labelSelector: { matchLabels: names.poolerSelector },
            },
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: names.poolerSelector } },
          ],
        },
      },
    },
  };

  const instances = { podSelector: { matchLabels: names.clusterSelector } };
  const rules = instancePolicyRules({ ...ctx, apiServerCidrs: pg.apiServerCidrs, s3Cidrs: backups?.endpointCidrs }, names.clusterSelector);
  const poolerPods = { podSelector: { matchLabels: names.poolerSelector } };
  const clients = [...ctx.directClients.map((matchLabels) => ({ podSelector: { matchLabels } })), ...(pooler ? [poolerPods] : [])];

  return {
    objectStore: backups && objectStore(backups, ctx.namespace, POSTGRES_LABELS),
    restoreSource: backups && restoreSource(pg, backups, ctx.namespace, POSTGRES_LABELS),
    scheduledBackup: backups && scheduledBackup(names.cluster, ctx.namespace, POSTGRES_LABELS),
    monitoringQueries: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(`${names.cluster}-monitoring`),
      data: { "queries.yaml": monitoringQueries(pg.database) },
    },
    credentials: {
      apiVersion: "v1",
      kind: "Secret",
      metadata: metadata(names.credentials),
      type: "kubernetes.io/basic-auth",
      stringData: { username: pg.owner, password },
    },
    cluster,
    pooler,
    clusterPolicy: podPolicy(metadata(names.cluster), names.clusterSelector, {
      ingress: [...rules.peers, ...(clients.length ? [{ from: clients, ports: tcpPorts(POSTGRES_PORT) }] : []), rules.scrape],
      egress: rules.egress,
    }),
    poolerPolicy:
      pooler &&
      podPolicy(metadata(names.pooler), names.poolerSelector, {
        ingress: [...clientsRule(ctx.pooledClients, POSTGRES_PORT), scrapeRule(ctx.monitoringNamespace, POOLER_METRICS_PORT)],
        egress: [{ to: [instances], ports: tcpPorts(POSTGRES_PORT) }, rules.apiServer],
      }),
  };
}
