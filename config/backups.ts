/** Configuration of the backup storage (BAK-1..3): the S3 buckets, their key and their retention. */
import { z } from "zod";

const bucketName = z
  .string()
  .min(3)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, "an S3 bucket name (lowercase letters, digits, '.', '-')");
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-west-1");
const days = z.int().min(1).max(3650);

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
    endpointCidrs: z
      .array(z.cidrv4())
      .default(["0.0.0.0/0"])
      .describe("Where the S3 endpoint is, for the network policies of the pods that write backups (TCP 443). Narrow it to your region's S3 ranges or a VPC endpoint."),
    irsaRoleArn: z
      .string()
      .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN")
      .optional()
      .describe("Use this IAM role through IRSA instead of a backup user's access key."),
  })
  .refine((b) => b.region !== b.drRegion, { message: "the disaster-recovery bucket must be in another region", path: ["drRegion"] })
  .refine((b) => b.bucket !== b.drBucket, { message: "the disaster-recovery bucket must be another bucket", path: ["drBucket"] })
  .describe("Backup storage on S3: primary and disaster-recovery buckets, KMS encryption, retention, least-privilege access.");

export type BackupsConfig = z.output<typeof BackupsSchema>;
