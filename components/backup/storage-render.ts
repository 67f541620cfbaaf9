/**
 * Pure parts of the backup storage: the lifecycle rules that implement the retention settings, the
 * TLS-only bucket policy, and the least-privilege policy of the backup writer. Policies are IAM JSON
 * documents built from ARNs, so they can be checked without AWS (and enforced by an S3 endpoint
 * that evaluates IAM, in the tests).
 */
import type * as aws from "@pulumi/aws";
import type { BackupsConfig } from "../../config";

/** Key prefixes in the bucket: CloudNativePG's archive (base backups and WAL, per server name), the logical dumps and the volume archives. */
export const PREFIXES = { physical: "postgres/", logical: "logical/", volumes: "volumes/" } as const;

type LifecycleRule = aws.types.input.s3.BucketLifecycleConfigurationRule;

/**
 * Logical dumps and volume archives expire after their retention. The physical archive's current objects are left to
 * CloudNativePG's retention policy: a lifecycle rule on WAL could delete segments an older base
 * backup still needs. Old versions and abandoned uploads expire everywhere.
 */
export function lifecycleRules(retention: BackupsConfig["retention"]): LifecycleRule[] {
  const noncurrent = { noncurrentDays: retention.noncurrentDays };
  return [
    { id: "logical-backups", status: "Enabled", filter: { prefix: PREFIXES.logical }, expiration: { days: retention.logicalDays }, noncurrentVersionExpiration: noncurrent },
    { id: "volume-backups", status: "Enabled", filter: { prefix: PREFIXES.volumes }, expiration: { days: retention.volumeDays }, noncurrentVersionExpiration: noncurrent },
    { id: "physical-archive-versions", status: "Enabled", filter: { prefix: PREFIXES.physical }, noncurrentVersionExpiration: noncurrent },
    {
      id: "abort-incomplete-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: { Sid: string; Effect: "Allow" | "Deny"; Principal?: unknown; Action: string[]; Resource: string[]; Condition?: unknown }[];
}

/** Refuses every request that does not use TLS. */
export function tlsOnlyPolicy(bucketArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:*"],
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/**
 * The backup writer: list the bucket under the backup prefixes, read and write objects there, use
 * the key. No delete (retention is the lifecycle's job, and a stolen key cannot wipe the backups).
 */
export function writerPolicy(bucketArn: string, keyArn: string, restoreSource?: { bucket: string; region: string }): PolicyDocument {
  const prefixes = Object.values(PREFIXES);
  const sourceArn = restoreSource && `arn:aws:s3:::${restoreSource.bucket}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListBackupPrefixes",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [bucketArn],
        Condition: { StringLike: { "s3:prefix": [...prefixes.map((p) => `${p}*`), ""] } },
      },
      { Sid: "ReadWriteBackups", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: prefixes.map((p) => `${bucketArn}/${p}*`) },
      { Sid: "UseBackupKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: [keyArn] },
      // A failover reads the physical archive of another bucket (the DR replica): read only.
      ...(sourceArn && restoreSource
        ? [
            {
              Sid: "ListRestoreSource",
              Effect: "Allow" as const,
              Action: ["s3:ListBucket"],
              Resource: [sourceArn],
              Condition: { StringLike: { "s3:prefix": [`${PREFIXES.physical}*`, ""] } },
            },
            { Sid: "ReadRestoreSource", Effect: "Allow" as const, Action: ["s3:GetObject"], Resource: [`${sourceArn}/${PREFIXES.physical}*`] },
            {
              Sid: "DecryptRestoreSource",
              Effect: "Allow" as const,
              Action: ["kms:Decrypt"],
              Resource: ["*"],
              Condition: { StringEquals: { "kms:ViaService": `s3.${restoreSource.region}.amazonaws.com` } },
            },
          ]
        : []),
    ],
  };
}

/**
 * The backup reader of the restore drill: list and read base backups, WAL and logical dumps, and
 * decrypt them. It can write nothing, so the drill cannot harm the backups it tests.
 */
export function readerPolicy(bucketArn: string, keyArn: string): PolicyDocument {
  const prefixes = [PREFIXES.physical, PREFIXES.logical];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListBackups",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [bucketArn],
        Condition: { StringLike: { "s3:prefix": [...prefixes.map((p) => `${p}*`), ""] } },
      },
      { Sid: "ReadBackups", Effect: "Allow", Action: ["s3:GetObject"], Resource: prefixes.map((p) => `${bucketArn}/${p}*`) },
      { Sid: "DecryptBackups", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [keyArn] },
    ],
  };
}

/** What S3 replication needs: read the primary, write replicas to the DR bucket, use both keys. */
export function replicationPolicy(source: { bucketArn: string; keyArn: string }, target: { bucketArn: string; keyArn: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadSourceConfig", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [source.bucketArn] },
      {
        Sid: "ReadSourceObjects",
        Effect: "Allow",
        Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
        Resource: [`${source.bucketArn}/*`],
      },
      { Sid: "WriteReplicas", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: [`${target.bucketArn}/*`] },
      { Sid: "DecryptSource", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [source.keyArn] },
      { Sid: "EncryptReplicas", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: [target.keyArn] },
    ],
  };
}
