/**
 * The public face of the Postgres component: the cluster's names, ports, labels and connection
 * environment, and what any twin of its instances must be (the restore drill's scratch cluster).
 * Other parts import this file only; render.ts is the component's own.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { PostgresConfig } from "../../config";
import { scrapeRule, tcpPorts } from "../network";
import { containerResources } from "../resources";
import { partSelector } from "../labels";

export const POSTGRES_PORT = 5432;

/** The instance manager's status port, which the operator calls. */
const INSTANCE_MANAGER_PORT = 8000;

/** Metrics ports of the instances and of PgBouncer. */
export const POSTGRES_METRICS_PORT = 9187;

export const POOLER_METRICS_PORT = 9127;

const CLUSTER = "postgres";

export function postgresNames() {
  return {
    cluster: CLUSTER,
    credentials: `${CLUSTER}-app-credentials`,
    readWriteService: `${CLUSTER}-rw`,
    pooler: `${CLUSTER}-pooler-rw`,
    clusterSelector: { "cnpg.io/cluster": CLUSTER },
    poolerSelector: { "cnpg.io/poolerName": `${CLUSTER}-pooler-rw` },
  };
}

/** The connection of a Job that works in the app database as its owner (the backup jobs' too). */
export function ownerDatabaseEnv(pg: PostgresConfig): k8s.types.input.core.v1.EnvVar[] {
  const names = postgresNames();
  return [
    { name: "PGHOST", value: names.readWriteService },
    { name: "PGPORT", value: String(POSTGRES_PORT) },
    { name: "PGDATABASE", value: pg.database },
    { name: "PGSSLMODE", value: "require" },
    { name: "PGUSER", valueFrom: { secretKeyRef: { name: names.credentials, key: "username" } } },
    { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: names.credentials, key: "password" } } },
  ];
}

/**
 * What every instance of a cluster of this configuration is: image, volumes, resources and
 * PostgreSQL parameters. The restore drill's scratch cluster is the same, or recovery could differ
 * from production (PostgreSQL refuses to replay WAL with max_connections below the primary's).
 */
export function instanceSpec(pg: PostgresConfig): Record<string, unknown> {
  const storage = (s: { size: string; storageClass?: string }) => ({ size: s.size, ...(s.storageClass ? { storageClass: s.storageClass } : {}) });
  return {
    imageName: pg.imageName,
    storage: storage(pg.storage),
    ...(pg.walStorage ? { walStorage: storage(pg.walStorage) } : {}),
    resources: containerResources(pg.resources),
    // The instance's emptyDirs (scratch data; shared memory) bounded too: data and WAL live on their volumes.
    ephemeralVolumesSizeLimit: { temporaryData: "512Mi", shm: "256Mi" },
    postgresql: {
      parameters: {
        max_connections: String(pg.maxConnections),
        statement_timeout: pg.statementTimeout,
        idle_in_transaction_session_timeout: pg.idleInTransactionSessionTimeout,
        log_min_duration_statement: pg.slowQueryThreshold,
        // Setting pg_stat_statements.* makes CloudNativePG load the library (MON-8).
        "pg_stat_statements.max": "10000",
        "pg_stat_statements.track": "all",
        // Autovacuum a little more eagerly than the defaults instead of a weekly VACUUM ANALYZE (DB-1).
        autovacuum_vacuum_scale_factor: "0.05",
        autovacuum_analyze_scale_factor: "0.02",
        log_autovacuum_min_duration: "1s",
        ...pg.parameters,
      },
    },
  };
}

/** What the instances of a cluster need to reach and be reached by, whatever else they serve. */
export function instancePolicyRules(ctx: { operatorNamespace: string; monitoringNamespace: string; apiServerCidrs: string[]; s3Cidrs?: string[] }, selector: Record<string, string>) {
  const operator = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ctx.operatorNamespace } } };
  const instances = { podSelector: { matchLabels: selector } };
  const apiServer = { to: ctx.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [443, 6443].map((port) => ({ protocol: "TCP", port })) };
  return {
    /** From the other instances (replication) and the operator (status, and the superuser's connections). */
    peers: [
      { from: [instances], ports: tcpPorts(POSTGRES_PORT) },
      { from: [operator], ports: tcpPorts(INSTANCE_MANAGER_PORT, POSTGRES_PORT) },
    ],
    scrape: scrapeRule(ctx.monitoringNamespace, POSTGRES_METRICS_PORT),
    apiServer,
    egress: [
      { to: [instances], ports: tcpPorts(POSTGRES_PORT) },
      apiServer,
      // WAL archiving and base backups go to (and a recovery reads from) the backup bucket.
      ...(ctx.s3Cidrs ? [{ to: ctx.s3Cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcpPorts(443) }] : []),
    ],
  };
}

export const POSTGRES_LABELS = { ...partSelector("postgres"), "app.kubernetes.io/managed-by": "pulumi" };
export { postgresPanels, postgresRules } from "./monitoring";
