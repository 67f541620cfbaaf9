/**
 * Pure rendering of the backup CronJobs (BAK-4, BAK-7, BAK-8): the logical backup, the restore
 * check and one volume backup per configured volume, with their ServiceAccount, the ConfigMap of
 * scripts they run and their NetworkPolicy. The restore check restores into a scratch PostgreSQL
 * that runs beside it in the same pod: it needs no privilege on, and puts no load on, the
 * production cluster.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { BackupsConfig, PlatformConfig, PostgresConfig } from "../../config";
import { BACKUP_GATE_RESOURCES } from "../../config";
import { podPolicy, tcpPorts } from "../network";
import { RESTRICTED_CONTAINER, restrictedPod } from "../security";
import { BACKUP_CREDENTIALS, backupJobLabels, JOB_NAMES } from "./names";
import { PREFIXES } from "./storage-render";
import { containerResources } from "../resources";
import { ownerDatabaseEnv, POSTGRES_PORT, postgresNames } from "../postgres/public";
import { partSelector } from "../labels";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type CronJob = k8s.types.input.batch.v1.CronJob;
type PodParts = { containers: Container[]; initContainers?: Container[]; volumes?: k8s.types.input.core.v1.Volume[] };

export const BACKUP_SCRIPTS = "backup-scripts";
export const BACKUP_ACCOUNT = "backup-jobs";
/** The postgres user of the tools image (backup/Dockerfile). */
const TOOLS_UID = 999;
const SCRIPTS_DIR = "/opt/backup";
const WORK_DIR = "/work";

/** The Jobs that wait for a pre-release backup (they only talk to the Kubernetes API). */
export const backupGateLabels = partSelector("backup-gate");
export const BACKUP_GATE_ACCOUNT = "backup-gate";

export interface BackupJobsContext {
  namespace: string;
  /** The tools image reference (a pushed digest when the stack builds it). */
  image: pulumi.Input<string>;
  /** The scripts of backup/, by file name. */
  scripts: Record<string, string>;
  postgres: PostgresConfig;
  /** The stack's tenants: each gets a backup of its schema alone (BAK-5, TEN-2). */
  tenants?: PlatformConfig["tenants"];
}

export interface BackupJobsManifests {
  serviceAccount: k8s.types.input.core.v1.ServiceAccount;
  /** What the Jobs that wait for pre-release backups run as (backups.preReleaseBackup). */
  gate?: {
    serviceAccount: k8s.types.input.core.v1.ServiceAccount;
    role: k8s.types.input.rbac.v1.Role;
    roleBinding: k8s.types.input.rbac.v1.RoleBinding;
    networkPolicy: k8s.types.input.networking.v1.NetworkPolicy;
  };
  scripts: k8s.types.input.core.v1.ConfigMap;
  /** By name. */
  cronJobs: Record<string, CronJob>;
  networkPolicy: k8s.types.input.networking.v1.NetworkPolicy;
}

/** The account a job's pods run as: the backup jobs' (no API access), or one of its own. */
interface JobAccount {
  name: string;
  /** Mount the account's token: only for a job that talks to the Kubernetes API (the restore drill). */
  token: boolean;
}

/** The shared parts of the stack's backup CronJobs: labels, S3 settings, the tools container and the CronJob itself. */
export function jobKit(backups: BackupsConfig, ctx: Pick<BackupJobsContext, "namespace" | "image">, podLabels: Record<string, string> = backupJobLabels) {
  const jobs = backups.jobs;
  const labels = (component: string) => ({ ...podLabels, "app.kubernetes.io/component": component, "app.kubernetes.io/managed-by": "pulumi" });
  const metadata = (name: string, component: string) => ({ name, namespace: ctx.namespace, labels: labels(component) });
  /** The bucket and credentials: the writer's access key, a read-only one, or the account's IAM role (IRSA). */
  const s3Env = (credentials: string | undefined = backups.irsaRoleArn ? undefined : BACKUP_CREDENTIALS): EnvVar[] => [
    { name: "BACKUP_BUCKET", value: backups.bucket },
    { name: "AWS_DEFAULT_REGION", value: backups.region },
    { name: "HOME", value: WORK_DIR },
    ...(credentials
      ? [
          { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: credentials, key: "ACCESS_KEY_ID" } } },
          { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: credentials, key: "ACCESS_SECRET_KEY" } } },
        ]
      : []),
  ];
  const mounts = [
    { name: "scripts", mountPath: SCRIPTS_DIR, readOnly: true },
    { name: "work", mountPath: WORK_DIR },
  ];
  const tool = (name: string, script: string, env: EnvVar[], extraMounts: k8s.types.input.core.v1.VolumeMount[] = []): Container => ({
    name,
    image: ctx.image,
    imagePullPolicy: "IfNotPresent",
    command: ["bash", `${SCRIPTS_DIR}/${script}`],
    env: [...env, { name: "TMPDIR", value: WORK_DIR }],
    resources: containerResources(jobs.resources),
    securityContext: RESTRICTED_CONTAINER,
    volumeMounts: [...mounts, ...extraMounts],
  });
  /** A Job that runs once: no retries but the given ones, stopped after the deadline. */
  const jobSpec = (component: string, pod: PodParts, account: JobAccount, backoffLimit = 1, deadlineSeconds = jobs.deadlineSeconds): k8s.types.input.batch.v1.JobSpec => {
    const { volumes = [], ...rest } = pod;
    return {
      backoffLimit,
      activeDeadlineSeconds: deadlineSeconds,
      template: {
        metadata: { labels: labels(component) },
        spec: {
          serviceAccountName: account.name,
          automountServiceAccountToken: account.token,
          restartPolicy: "Never",
          securityContext: restrictedPod(TOOLS_UID),
          ...rest,
          volumes: [
            { name: "scripts", configMap: { name: BACKUP_SCRIPTS, defaultMode: 0o555 } },
            { name: "work", emptyDir: { sizeLimit: jobs.scratchSize } },
            ...volumes,
          ],
        },
      },
    };
  };
  const cronJob = (name: string, component: string, schedule: string, pod: PodParts, account: JobAccount = { name: BACKUP_ACCOUNT, token: false }): CronJob => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: metadata(name, component),
    spec: {
      schedule,
      timeZone: "Etc/UTC",
      // Never two at once; a run missed by more than an hour is skipped, and the staleness alerts fire.
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: { metadata: { labels: labels(component) }, spec: jobSpec(component, pod, account) },
    },
  });
  return { labels, metadata, s3Env, tool, jobSpec, cronJob };
}

export function renderBackupJobs(backups: BackupsConfig, ctx: BackupJobsContext): BackupJobsManifests {
  const jobs = backups.jobs;
  const { metadata, s3Env: s3, tool, cronJob } = jobKit(backups, ctx);
  const s3Env = s3();
  const pg = postgresNames();

  const database = ownerDatabaseEnv(ctx.postgres);
  const logical = cronJob(JOB_NAMES.logical, "logical-backup", jobs.logicalSchedule, {
    containers: [tool("backup", "logical-backup.sh", [...database, ...s3Env, { name: "BACKUP_PREFIX", value: trimSlash(PREFIXES.logical) }])],
  });

  // The scratch server: a native sidecar (an init container that keeps running), started and
  // ready before the check, stopped when it ends. Reachable on loopback only.
  const scratchServer: Container = {
    name: "scratch-postgres",
    image: ctx.image,
    imagePullPolicy: "IfNotPresent",
    restartPolicy: "Always",
    args: ["postgres", "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_wal_size=4GB"],
    env: [
      { name: "PGDATA", value: `${WORK_DIR}/pgdata` },
      { name: "POSTGRES_HOST_AUTH_METHOD", value: "trust" },
    ],
    resources: containerResources(jobs.resources),
    securityContext: RESTRICTED_CONTAINER,
    startupProbe: { exec: { command: ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"] }, periodSeconds: 2, failureThreshold: 60 },
    volumeMounts: [
      { name: "work", mountPath: WORK_DIR },
      { name: "run", mountPath: "/var/run/postgresql" },
    ],
  };
  const scratch: EnvVar[] = [
    { name: "PGHOST", value: "127.0.0.1" },
    { name: "PGPORT", value: String(POSTGRES_PORT) },
    { name: "PGUSER", value: "postgres" },
    { name: "PGDATABASE", value: "postgres" },
  ];
  const restoreCheck = cronJob(JOB_NAMES.restoreCheck, "restore-check", jobs.restoreCheckSchedule, {
    initContainers: [scratchServer],
    containers: [
      tool("check", "restore-check.sh", [
        ...scratch,
        ...s3Env,
        { name: "BACKUP_PREFIX", value: trimSlash(PREFIXES.logical) },
        ...(jobs.restoreCheckSql.length ? [{ name: "RESTORE_CHECK_SQL", value: jobs.restoreCheckSql.join("\n") }] : []),
      ]),
    ],
    volumes: [{ name: "run", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }],
  });

  const volumeJobs = backups.volumes.map((volume) =>
    cronJob(JOB_NAMES.volume(volume.claim), "volume-backup", volume.schedule, {
      containers: [
        tool(
          "backup",
          "volume-backup.sh",
          [
            ...s3Env,
            { name: "VOLUME_NAME", value: volume.claim },
            { name: "SOURCE_DIR", value: "/data" },
            { name: "BACKUP_PREFIX", value: `${PREFIXES.volumes}${volume.claim}` },
          ],
          [{ name: "data", mountPath: "/data", readOnly: true }],
        ),
      ],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: volume.claim, readOnly: true } }],
    }),
  );

  // Each tenant's schema, backed up alone and verified in the scratch server, one tenant after the
  // other (BAK-5); its newest is the final backup a removal needs (TEN-2). A tenant being removed is
  // backed up until its entry goes.
  const tenantIds = Object.keys(ctx.tenants ?? {});
  const tenantJobs = tenantIds.length
    ? [
        cronJob(JOB_NAMES.tenants, "tenant-backup", jobs.logicalSchedule, {
          initContainers: [scratchServer],
          containers: [
            {
              ...tool("backup", "tenant-backup.sh", [...database, ...s3Env, ...scratch.map((v) => ({ ...v, name: `SCRATCH_${v.name}` }))]),
              args: tenantIds.flatMap((id) => ["--tenant", id]),
            },
          ],
          volumes: [{ name: "run", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }],
        }),
      ]
    : [];

  return {
    serviceAccount: {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        ...metadata(BACKUP_ACCOUNT, "backup"),
        ...(backups.irsaRoleArn ? { annotations: { "eks.amazonaws.com/role-arn": backups.irsaRoleArn } } : {}),
      },
      automountServiceAccountToken: false,
    },
    scripts: { apiVersion: "v1", kind: "ConfigMap", metadata: metadata(BACKUP_SCRIPTS, "backup"), data: ctx.scripts },
    gate: backups.preReleaseBackup ? renderBackupGate(backups, ctx) : undefined,
    cronJobs: Object.fromEntries([logical, restoreCheck, ...volumeJobs, ...tenantJobs].map((job) => [String((job.metadata as { name: string }).name), job])),
    networkPolicy: podPolicy(metadata("backup-jobs", "backup"), backupJobLabels, {
      ingress: [],
      egress: [
        { to: [{ podSelector: { matchLabels: pg.clusterSelector } }], ports: tcpPorts(POSTGRES_PORT) },
        { to: backups.endpointCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcpPorts(443) },
      ],
    }),
  };
}

const trimSlash = (prefix: string) => prefix.replace(/\/$/, "");

/** The account of the pre-release backup gates: it may read Backups, nothing else; its pods reach only the API server. */
function renderBackupGate(backups: BackupsConfig, ctx: BackupJobsContext): NonNullable<BackupJobsManifests["gate"]> {
  const { metadata } = jobKit(backups, ctx, backupGateLabels);
  const meta = metadata(BACKUP_GATE_ACCOUNT, "pre-release-backup");
  return {
    serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta, automountServiceAccountToken: false },
    role: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta,
      rules: [{ apiGroups: ["postgresql.cnpg.io"], resources: ["backups"], verbs: ["get"] }],
    },
    roleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: BACKUP_GATE_ACCOUNT },
      subjects: [{ kind: "ServiceAccount", name: BACKUP_GATE_ACCOUNT, namespace: ctx.namespace }],
    },
    networkPolicy: podPolicy(meta, backupGateLabels, {
      ingress: [],
      egress: [{ to: ctx.postgres.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcpPorts(443, 6443) }],
    }),
  };
}

/**
 * The Job a release waits on (BAK-6, REL-8): it follows the release's pre-release Backup and fails
 * as soon as the Backup does (backup/wait-backup.sh), so the migration and rollout that depend on
 * it never start on a failed backup. Named as the Backup: PreReleaseBackupFailed names both.
 */
export function backupGateJob(backups: BackupsConfig, ctx: Pick<BackupJobsContext, "namespace" | "image">, backupName: string): k8s.types.input.batch.v1.Job {
  const kit = jobKit(backups, ctx, backupGateLabels);
  const timeout = backups.jobs.deadlineSeconds;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: kit.metadata(backupName, "pre-release-backup"),
    spec: kit.jobSpec(
      "pre-release-backup",
      {
        containers: [
          {
            ...kit.tool("wait", "wait-backup.sh", [
              { name: "NAMESPACE", value: ctx.namespace },
              { name: "BACKUP_NAME", value: backupName },
              { name: "TIMEOUT_SECONDS", value: String(timeout) },
            ]),
            // A poll loop, not a dump: little of the quota.
            resources: containerResources(BACKUP_GATE_RESOURCES),
          },
        ],
      },
      { name: BACKUP_GATE_ACCOUNT, token: true },
      0,
      timeout + 300,
    ),
  };
}
