/** Configuration of the backup storage (BAK-1..3): the S3 buckets, their key and their retention. */
import { z } from "zod";
import { bucketName, ContainerResourcesSchema, ImageSchema, optionalText, volumeSize } from "./primitives";
import { claimName } from "./volumes";
import { singleQueryProblem } from "./sql";
import { cronProblem } from "./cron";
import type { PostgresConfig } from "./data";
import { podsDemand, sidecarDemand, type Demand } from "./demand";
import type { Resources } from "./primitives";

/** One SQL query, as psql -c runs it (see config/sql.ts). */
const query = z
  .string()
  .min(1, { abort: true })
  .regex(/^[^\n]+$/, { message: "one line of SQL", abort: true })
  .superRefine((sql, ctx) => {
    const problem = singleQueryProblem(sql);
    if (problem) ctx.addIssue({ code: "custom", message: `expected ${problem}` });
  });

const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-west-1");
const days = z.int().min(1).max(3650);
/** A Kubernetes CronJob schedule, in UTC (the CronJobs set timeZone: Etc/UTC), as the API server parses it (config/cron.ts). */
const cron = z.string().superRefine((schedule, ctx) => {
  const problem = cronProblem(schedule);
  if (problem) ctx.addIssue({ code: "custom", message: `expected a cron schedule such as "0 3 * * *": ${problem}` });
});

const JobsSchema = z
  .strictObject({
    image: ImageSchema.describe(
      "Image of the backup jobs: PostgreSQL's server and client tools of the cluster's major version plus the AWS CLI, as backup/Dockerfile builds it. The scripts come from a ConfigMap, not from the image.",
    ),
    build: z
      .boolean()
      .default(false)
      .describe("Build backup/Dockerfile with @pulumi/docker and push it to image.repository (tag: image.tag); the CronJobs then run the pushed digest. Needs Docker and registry credentials where `pulumi up` runs."),
    logicalSchedule: cron.default("0 3 * * *").describe("When the logical backup runs (UTC): after the 02:00 base backup (BAK-1)."),
    restoreCheckSchedule: cron.default("0 5 * * *").describe("When the restore check of the newest logical backup runs (UTC; BAK-4, BAK-8)."),
    restoreCheckSql: z
      .array(query)
      .default([])
      .describe("Extra integrity checks run on the restored copy: each a query returning true, e.g. \"SELECT count(*) > 0 FROM tenants\"."),
    deadlineSeconds: z.int().min(300).default(10800).describe("A backup or check Job running longer than this is stopped and counts as failed."),
    scratchSize: volumeSize.default("20Gi").describe("Size limit of the emptyDir each job works in (the dump, or the restored database): at least twice the database."),
    // Ephemeral storage: the scratch emptyDir (scratchSize) counts against the pod's limit.
    resources: ContainerResourcesSchema({ cpu: "250m", memory: "512Mi", ephemeralStorage: "1Gi" }, { cpu: "2", memory: "2Gi", ephemeralStorage: "21Gi" }).prefault({}),
  })
  .describe("The backup CronJobs: logical backup, restore check and volume backups.");

const iamRole = z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN");

const DrillSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Run the physical restore drill (BAK-4, BAK-5, BAK-8)."),
    schedule: cron.default("0 4 * * 0").describe("When it runs (UTC): Sundays at 04:00, after the daily base backup (BAK-8: restore tested weekly)."),
    targetLagMinutes: z
      .int()
      .min(1)
      .max(1440)
      .default(5)
      .describe("The point in time the drill recovers to: this many minutes before it starts (the base backups and the WAL archived since must reach it)."),
    timeoutMinutes: z.int().min(10).max(1440).default(120).describe("A drill whose scratch cluster is not ready this long after it was created fails."),
    recoveryPointSql: optionalText(query)
      .describe(
        "A query returning the newest data's time in the recovered database (e.g. \"SELECT max(created_at) FROM orders\"), for the recovered point's age. Default: the recovery target, which PostgreSQL refuses to stop short of.",
      ),
    readerRoleArn: iamRole
      .optional()
      .describe("With backups.irsaRoleArn: a role that can only read the backup bucket, for the scratch cluster (IRSA). Without IRSA the stack creates a read-only access key."),
  })
  .prefault({})
  .describe(
    "The physical restore drill: on a schedule, a throw-away CloudNativePG cluster is recovered from the stack's own bucket (read-only) to a recent point in time, checked like the restore check, measured and deleted. It never touches the live cluster.",
  );

const VolumeSchema = z
  .strictObject({
    claim: claimName.describe("The PersistentVolumeClaim to back up, in the stack's namespace: a volume of mcp-platform:volumes, or one created outside the stack."),
    schedule: cron.default("30 3 * * *").describe("When it is backed up (UTC)."),
  })
  .describe("A volume of uploaded files or logs (BAK-7).");

export const BackupsSchema = z
  .strictObject({
    bucket: bucketName.describe("Primary backup bucket (globally unique name)."),
    region: region.describe("Region of the primary bucket."),
    drBucket: bucketName.describe("Disaster-recovery bucket, replicated from the primary (BAK-3)."),
    drRegion: region.describe("Region of the disaster-recovery bucket; must differ from region (BAK-3)."),
    retention: z
      .strictObject({
        baseBackupDays: days
          .default(30)
          .describe(
            "Keep base backups, and the WAL they need, this long (BAK-1: 30 days); CloudNativePG's retention policy deletes them. Continuous WAL archiving gives point-in-time recovery over the whole window, which covers BAK-2's hourly incrementals kept 7 days.",
          ),
        logicalDays: days.default(30).describe("Keep logical backups (logical/) this long."),
        volumeDays: days.default(30).describe("Keep volume backups (volumes/) this long."),
        noncurrentDays: days.default(7).describe("Keep overwritten or deleted versions this long."),
      })
      .prefault({})
      .describe("Retention, as lifecycle rules on both buckets."),
    objectLock: z
      .strictObject({
        enabled: z.boolean().default(false).describe("Write-once retention: no one can delete a backup before its time (set at bucket creation)."),
        days: days.default(30).describe("Default retention of locked objects (governance mode)."),
      })
      .prefault({})
      .describe("S3 Object Lock (production)."),
    jobs: JobsSchema,
    preReleaseBackup: z
      .boolean()
      .default(false)
      .describe(
        "Take a base backup named after each release before it rolls out (and before its migrations run), and stop the release when it fails (BAK-6, REL-8). Set it in production.",
      ),
    volumes: z.array(VolumeSchema).default([]).describe("Volumes backed up as tar archives to volumes/<claim>/ (BAK-7)."),
    endpointCidrs: z
      .array(z.cidrv4())
      .default(["0.0.0.0/0"])
      .describe("Where the S3 endpoint is, for the network policies of the pods that write backups (TCP 443). Narrow it to your region's S3 ranges or a VPC endpoint."),
    irsaRoleArn: iamRole.optional().describe("Use this IAM role through IRSA instead of a backup user's access key."),
    drill: DrillSchema,
  })
  .refine((b) => !b.irsaRoleArn || !b.drill.enabled || b.drill.readerRoleArn, {
    message: "with irsaRoleArn the restore drill needs a read-only role for its scratch cluster: set drill.readerRoleArn, or drill.enabled: false",
    path: ["drill", "readerRoleArn"],
  })
  .refine((b) => b.region !== b.drRegion, { message: "the disaster-recovery bucket must be in another region", path: ["drRegion"] })
  .refine((b) => b.bucket !== b.drBucket, { message: "the disaster-recovery bucket must be another bucket", path: ["drBucket"] })
  .describe("Backup storage on S3: primary and disaster-recovery buckets, KMS encryption, retention, least-privilege access.");

export type BackupsConfig = z.output<typeof BackupsSchema>;

/** The Pushgateway the restore drill reports to. */
export const PUSHGATEWAY_RESOURCES: Resources = { requests: { cpu: "10m", memory: "32Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "100m", memory: "64Mi", ephemeralStorage: "128Mi" } };
/** The Job that waits for a pre-release backup: a poll loop. */
export const BACKUP_GATE_RESOURCES: Resources = { requests: { cpu: "10m", memory: "32Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "100m", memory: "64Mi", ephemeralStorage: "128Mi" } };

/** The backup jobs that may run at once, the drill's Job, scratch instance and Pushgateway, the tenants' backups and a release's gates. */
export function backupsDemand(config: { backups?: BackupsConfig; postgres?: PostgresConfig; services: Record<string, unknown>; tenants?: Record<string, unknown> }): Demand[] {
  const { backups } = config;
  if (!backups) return [];
  const jobs = backups.jobs.resources;
  return [
    // The logical backup, the restore check (two containers: the check and its scratch server) and
    // each volume backup may all run at once.
    podsDemand(2 + backups.volumes.length, jobs),
    sidecarDemand(1, jobs),
    // The restore drill's Job, its scratch instance (the live cluster's twin) and the Pushgateway it reports to.
    ...(backups.drill.enabled && config.postgres ? [podsDemand(1, jobs), podsDemand(1, config.postgres.resources), podsDemand(1, PUSHGATEWAY_RESOURCES)] : []),
    // The tenants' backups (one pod: the tool and its scratch server), at the logical backup's hour.
    ...(Object.keys(config.tenants ?? {}).length ? [podsDemand(1, jobs), sidecarDemand(1, jobs)] : []),
    // A release of every service at once waits on one backup gate each.
    ...(backups.preReleaseBackup ? [podsDemand(Object.keys(config.services).length, BACKUP_GATE_RESOURCES)] : []),
  ];
}
