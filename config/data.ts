/** Configuration of the data services (Postgres on CloudNativePG, Redis) and of the cluster add-ons. */
import { z } from "zod";
import { INT32_MAX } from "./limits";
import { bucketName, ContainerResourcesSchema, dnsSubdomain, ImageSchema, postgresDuration, volumeSize } from "./primitives";
import { podsDemand, sidecarDemand, type Demand } from "./demand";
import type { Resources } from "./primitives";

const StorageSchema = (size: string) =>
  z
    .strictObject({
      size: volumeSize.default(size).describe("Volume size."),
      storageClass: dnsSubdomain.optional().describe("StorageClass; default: the cluster's default class."),
    })
    .describe("Persistent volume.");

const duration = postgresDuration;

export const PostgresSchema = z
  .strictObject({
    instances: z.int().min(1).max(9).default(1).describe("Postgres instances: one primary, the rest streaming replicas (DB-1)."),
    imageName: z
      .string()
      .regex(/^[a-z0-9./_-]+(:[\w.-]+)?(@sha256:[a-f0-9]{64})?$/, "an image reference")
      // The tag 17.5 moves with each rebuild of the image; the digest does not.
      .default("ghcr.io/cloudnative-pg/postgresql:17.5@sha256:b1deeed2aa998b2f381e39c5cadb9ec06127708c8bd62965743af19abf21628f")
      .describe("PostgreSQL operand image (CloudNativePG's images): a minor version, and its digest where imagePinning is digest (production)."),
    storage: StorageSchema("20Gi").prefault({}).describe("Data volume per instance (CAP-4: 20 GiB base)."),
    walStorage: StorageSchema("5Gi").optional().describe("Separate WAL volume per instance; omit to keep WAL on the data volume."),
    resources: ContainerResourcesSchema({ cpu: "500m", memory: "1Gi" }, { cpu: "2", memory: "2Gi" }).prefault({}),
    database: z.string().regex(/^[a-z_][a-z0-9_]*$/, "a lowercase SQL identifier").default("app").describe("The application database."),
    owner: z.string().regex(/^[a-z_][a-z0-9_]*$/, "a lowercase SQL identifier").default("app").describe("The application role, owner of the database."),
    maxConnections: z.int().min(10).max(10000).default(200).describe("max_connections (DB-1, MON-8)."),
    statementTimeout: duration.default("30s").describe("statement_timeout: longest a query may run (DB-1)."),
    idleInTransactionSessionTimeout: duration
      .default("60s")
      .describe("idle_in_transaction_session_timeout: sessions idle in a transaction longer are ended (DB-1)."),
    slowQueryThreshold: duration
      .default("200ms")
      .describe("log_min_duration_statement: queries slower than this are logged (MON-8: critical 200 ms)."),
    parameters: z
      .record(z.string().regex(/^[a-z_.]+$/, "a PostgreSQL parameter name"), z.string())
      .default({})
      .describe("Further postgresql.conf parameters, as text."),
    antiAffinity: z
      .enum(["preferred", "required"])
      .default("preferred")
      .describe("Keep instances on different nodes: preferred, or required (pending pods rather than two on one node)."),
    passwordRotation: z.int().min(0).default(0).describe("Increase to rotate the application role's password (SEC-1)."),
    archiveServerName: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "a lowercase name")
      .default("postgres")
      .describe("Folder of this cluster's base backups and WAL in the backup bucket. A cluster restored from another must archive under a new name."),
    restoreFrom: z
      .strictObject({
        serverName: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "a lowercase name").describe("archiveServerName of the cluster whose backups to restore."),
        targetTime: z.iso
          .datetime({ offset: true })
          .optional()
          .describe("Recover to this moment (RFC 3339, e.g. 2026-11-22T09:30:00Z); omit to replay all archived WAL (BAK-5)."),
        bucket: bucketName
          .optional()
          .describe("Restore from this bucket instead of backups.bucket: the disaster-recovery bucket, for a failover to its region (BAK-3). Read-only to this stack."),
        region: z
          .string()
          .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-central-1")
          .optional()
          .describe("Region of restoreFrom.bucket."),
      })
      .refine((r) => !r.bucket === !r.region, { message: "bucket and region go together: set both, or neither", path: ["region"] })
      .optional()
      .describe("Create the Cluster from the backup bucket instead of an empty database: point-in-time recovery (BAK-5). Needs mcp-platform:backups."),
    pooler: z
      .strictObject({
        instances: z.int().min(1).max(INT32_MAX).default(2).describe("PgBouncer pods."),
        poolMode: z.enum(["session", "transaction"]).default("transaction").describe("PgBouncer pool mode."),
        defaultPoolSize: z.int().min(1).max(INT32_MAX).default(20).describe("Server connections per user and database."),
        maxClientConnections: z.int().min(1).max(INT32_MAX).default(1000).describe("Client connections PgBouncer accepts."),
      })
      .optional()
      .describe("A PgBouncer Pooler in front of the primary, for services that use postgres-pooled."),
    apiServerCidrs: z
      .array(z.cidrv4())
      .default(["0.0.0.0/0"])
      .describe("Where the Kubernetes API server is: CloudNativePG's instance manager must reach it (TCP 443/6443). Narrow it to your control plane's addresses."),
  })
  .refine((pg) => pg.restoreFrom?.serverName !== pg.archiveServerName, {
    message: "a restored cluster must archive under a new archiveServerName, or it would write into the archive it restores from",
    path: ["archiveServerName"],
  })
  .describe("Postgres on CloudNativePG: a Cluster per stack, the app database and owner bootstrapped with a generated password.");

const RedisRoleBase = {
  maxmemory: z
    .string()
    .regex(/^\d+(kb|mb|gb)$/, 'a Redis memory size such as "256mb"')
    .describe("maxmemory: Redis's memory ceiling; keep it below the container's memory limit."),
  resources: ContainerResourcesSchema({ cpu: "100m", memory: "256Mi" }, { cpu: "1", memory: "512Mi" }).prefault({}),
};

export const RedisSchema = z
  .strictObject({
    image: ImageSchema.default({ repository: "redis", tag: "7.4.2", digest: "sha256:fbdbaea47b9ae4ecc2082ecdb4e1cea81e32176ffb1dcf643d422ad07427e5d9" }).describe(
      "The official Redis image.",
    ),
    // The project's own quay.io repository, where the digest of the tag was found published.
    exporterImage: ImageSchema.default({
      repository: "quay.io/oliver006/redis_exporter",
      tag: "v1.67.0",
      digest: "sha256:120f7ec77293459ccfdad66bb1db75ab72e8bfeab99f58b1cc2564cadcd7a9e7",
    }).describe(
      "redis_exporter sidecar image (hit rate, memory, queue length metrics).",
    ),
    cache: z
      .strictObject({ ...RedisRoleBase, maxmemory: RedisRoleBase.maxmemory.default("256mb") })
      .optional()
      .describe("The cache: evicts least-recently-used keys when full (allkeys-lru), no persistence (DB-2)."),
    queue: z
      .strictObject({
        ...RedisRoleBase,
        maxmemory: RedisRoleBase.maxmemory.default("512mb"),
        storage: StorageSchema("5Gi").prefault({}).describe("Volume for the append-only file."),
        appendfsync: z.enum(["always", "everysec"]).default("everysec").describe("When the append-only file is synced to disk."),
        watchKeys: z
          .array(z.string().min(1))
          .default(["bull:*:wait", "bull:*:active", "bull:*:failed"])
          .describe("Key patterns whose length the exporter reports, for the queue alerts (MON-11): Bull's waiting, active and failed jobs by default."),
      })
      .optional()
      .describe("The job queue: never evicts (noeviction), persists every write to an append-only file on a volume (DB-2, DB-3)."),
    passwordRotation: z.int().min(0).default(0).describe("Increase to rotate the Redis passwords (SEC-1)."),
  })
  .refine((redis) => redis.cache || redis.queue, "declare at least one role: cache and/or queue")
  .describe("Redis, one StatefulSet per role.");

const AddonSchema = (chart: { version: string; namespace: string }) =>
  z.strictObject({
    install: z.boolean().default(true).describe("Install it with this stack. Set false where another stack on the same cluster owns it."),
    version: z.string().default(chart.version).describe("Helm chart version."),
    namespace: z.string().default(chart.namespace).describe("Namespace of the add-on."),
  });

export const ClusterAddonsSchema = z
  .strictObject({
    cloudnativePg: AddonSchema({ version: "0.29.0", namespace: "cnpg-system" })
      .prefault({})
      .describe("The CloudNativePG operator (Helm chart cloudnative-pg), installed when the stack has postgres."),
    barmanCloud: AddonSchema({ version: "0.7.0", namespace: "cnpg-system" })
      .prefault({})
      .describe("CloudNativePG's barman-cloud plugin (Helm chart plugin-barman-cloud), installed when the stack has postgres and backups."),
    certManager: AddonSchema({ version: "v1.16.2", namespace: "cert-manager" })
      .prefault({})
      .describe("cert-manager (Helm chart cert-manager), installed when the edge's certificate comes from an issuer or the barman-cloud plugin needs it."),
  })
  .describe("Cluster-scoped add-ons (CRDs and operators): installed once per cluster.");

/** What a service may use; each brings its connection settings as environment variables. */
export const DATA_USES = ["postgres", "postgres-pooled", "redis-cache", "redis-queue"] as const;
export type DataUse = (typeof DATA_USES)[number];

export type PostgresConfig = z.output<typeof PostgresSchema>;
export type RedisConfig = z.output<typeof RedisSchema>;
export type ClusterAddons = z.output<typeof ClusterAddonsSchema>;

/** PgBouncer's container: fixed, no setting of its own. */
export const POOLER_RESOURCES: Resources = { requests: { cpu: "100m", memory: "64Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "500m", memory: "256Mi", ephemeralStorage: "128Mi" } };
/** The redis_exporter sidecar of each Redis role. */
export const REDIS_EXPORTER_RESOURCES: Resources = { requests: { cpu: "50m", memory: "32Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "200m", memory: "64Mi", ephemeralStorage: "128Mi" } };

/** Postgres's instances and the pooler's. */
export function postgresDemand(pg: PostgresConfig | undefined): Demand[] {
  if (!pg) return [];
  return [podsDemand(pg.instances, pg.resources), ...(pg.pooler ? [podsDemand(pg.pooler.instances, POOLER_RESOURCES)] : [])];
}

/** Each Redis role's pod and its exporter. */
export function redisDemand(redis: RedisConfig | undefined): Demand[] {
  return [redis?.cache, redis?.queue].flatMap((role) => (role ? [podsDemand(1, role.resources), sidecarDemand(1, REDIS_EXPORTER_RESOURCES)] : []));
}
