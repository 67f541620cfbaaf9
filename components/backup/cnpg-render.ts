/**
 * Pure rendering of CloudNativePG's physical backups through the barman-cloud plugin: the
 * ObjectStore in the backup bucket, the Cluster's WAL archiving and recovery settings, and the daily
 * ScheduledBackup (BAK-1). Continuous WAL archiving gives point-in-time recovery (BAK-2, BAK-5).
 */
import type { BackupsConfig, PostgresConfig } from "../../config";
import { BACKUP_CREDENTIALS, PRE_RELEASE_PREFIX } from "./names";
import { PREFIXES } from "./storage-render";
import { type CustomResourceManifest } from "../resources";

export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";
export const OBJECT_STORE = "backups";
/** The ObjectStore of another bucket that a cluster is restored from (a failover to the DR region). */
export const RESTORE_SOURCE = "restore-source";

/** The ObjectStore: where base backups and WAL go, with which credentials, kept how long. */
export function objectStore(backups: BackupsConfig, namespace: string, labels: Record<string, string>): CustomResourceManifest {
  const credential = (key: string) => ({ name: BACKUP_CREDENTIALS, key });
  return {
    apiVersion: "barmancloud.cnpg.io/v1",
    kind: "ObjectStore",
    metadata: { name: OBJECT_STORE, namespace, labels },
    spec: {
      retentionPolicy: `${backups.retention.baseBackupDays}d`,
      configuration: {
        destinationPath: `s3://${backups.bucket}/${PREFIXES.physical.replace(/\/$/, "")}`,
        s3Credentials: backups.irsaRoleArn
          ? { inheritFromIAMRole: true }
          : { accessKeyId: credential("ACCESS_KEY_ID"), secretAccessKey: credential("ACCESS_SECRET_KEY") },
        wal: { compression: "gzip", maxParallel: 4 },
        data: { compression: "gzip", jobs: 2 },
      },
    },
  };
}

/** The bucket a restore reads from, when it is not the stack's own: read-only, in its own region. */
export function restoreSource(pg: PostgresConfig, backups: BackupsConfig, namespace: string, labels: Record<string, string>): CustomResourceManifest | undefined {
  const from = pg.restoreFrom;
  if (!from?.bucket || !from.region) return undefined;
  const own = objectStore(backups, namespace, labels);
  const configuration = own.spec.configuration as Record<string, unknown>;
  return {
    ...own,
    metadata: { ...own.metadata, name: RESTORE_SOURCE },
    spec: {
      configuration: {
        ...configuration,
        destinationPath: `s3://${from.bucket}/${PREFIXES.physical.replace(/\/$/, "")}`,
        endpointURL: `https://s3.${from.region}.amazonaws.com`,
      },
    },
  };
}

/** What the Cluster spec gains: WAL archiving to the ObjectStore, and recovery from it when asked. */
export function clusterBackupSpec(pg: PostgresConfig, credentialsSecret: string): Record<string, unknown> {
  const plugin = (serverName: string, store = OBJECT_STORE) => ({ name: BARMAN_PLUGIN, parameters: { barmanObjectName: store, serverName } });
  const restore = pg.restoreFrom;
  return {
    plugins: [{ ...plugin(pg.archiveServerName), isWALArchiver: true }],
    ...(restore
      ? {
          externalClusters: [{ name: "origin", plugin: plugin(restore.serverName, restore.bucket ? RESTORE_SOURCE : OBJECT_STORE) }],
          bootstrap: {
            recovery: {
              source: "origin",
              database: pg.database,
              owner: pg.owner,
              secret: { name: credentialsSecret },
              ...(restore.targetTime ? { recoveryTarget: { targetTime: recoveryTargetTime(restore.targetTime) } } : {}),
            },
          },
        }
      : {}),
  };
}

/**
 * An RFC 3339 moment as a recovery target: UTC in PostgreSQL's own format with a numeric offset.
 * CloudNativePG passes such a value to recovery_target_time as it is; an RFC 3339 "...Z" may reach
 * PostgreSQL unchanged, which refuses it at startup (cloudnative-pg#10819). The restore drill's
 * backup/lib.sh recovery_time writes the same format.
 */
export function recoveryTargetTime(rfc3339: string): string {
  return new Date(rfc3339).toISOString().replace("T", " ").replace(/\.000Z$|Z$/, "") + "+00:00";
}

/** A base backup every day at 02:00 UTC (BAK-1); CloudNativePG's cron has a seconds field. */
export function scheduledBackup(cluster: string, namespace: string, labels: Record<string, string>): CustomResourceManifest {
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "ScheduledBackup",
    metadata: { name: "daily", namespace, labels },
    spec: {
      cluster: { name: cluster },
      schedule: "0 0 2 * * *",
      immediate: true,
      backupOwnerReference: "self",
      method: "plugin",
      pluginConfiguration: { name: BARMAN_PLUGIN },
    },
  };
}

/**
 * The name of a release's pre-release backup and of the Job that waits for it:
 * pre-release-<service>-<version> as a DNS label (dots too become dashes: the API server warns that
 * a Job name with dots makes surprising pod and host names, as the cluster tests showed).
 */
export function preReleaseBackupName(release: { service: string; version: string }): string {
  const version = release.version.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  return `${PRE_RELEASE_PREFIX}-${release.service}-${version}`.slice(0, 63).replace(/-+$/, "");
}

/**
 * An on-demand base backup named after a release, taken before it rolls out and before its
 * migrations run (BAK-6, REL-8). A Job waits for it (backupGateJob) and fails as soon as it fails;
 * restoring it, or recovering to just before it, rolls the release's migration back.
 */
export function preReleaseBackup(cluster: string, namespace: string, labels: Record<string, string>, release: { service: string; version: string }): CustomResourceManifest {
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Backup",
    metadata: {
      name: preReleaseBackupName(release),
      namespace,
      labels: { ...labels, "app.kubernetes.io/component": "pre-release-backup", "app.kubernetes.io/version": release.version },
      // The gate Job waits, and fails fast; the provider must not wait hours for a phase that never comes.
      annotations: { "pulumi.com/skipAwait": "true" },
    },
    spec: { cluster: { name: cluster }, method: "plugin", pluginConfiguration: { name: BARMAN_PLUGIN } },
  };
}
