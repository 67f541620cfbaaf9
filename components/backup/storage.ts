// The three AWS services it uses, not the whole provider SDK (its index loads every service's module: measured 150-280 ms, against 13 ms for these three).
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as s3 from "@pulumi/aws/s3";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import type { BackupsConfig } from "../../config";
import { BACKUP_CREDENTIALS, BACKUP_READER_CREDENTIALS } from "./names";
import { lifecycleRules, readerPolicy, replicationPolicy, tlsOnlyPolicy, writerPolicy, type PolicyDocument } from "./storage-render";
import { MANAGED_LABELS } from "../labels";

export interface BackupStorageArgs {
  config: BackupsConfig;
  namespace: string;
  /** Protect the buckets and keys from deletion: production. */
  protect: boolean;
  /** Another bucket the cluster restores from (postgres.restoreFrom.bucket): the writer may read it. */
  restoreSource?: { bucket: string; region: string };
}

/**
 * Backup storage (BAK-1..3): a primary and a disaster-recovery bucket in two regions, each with its
 * own KMS key (rotated yearly), versioning, all public access blocked, ACLs disabled, TLS-only
 * access, retention as lifecycle rules, optional Object Lock; replication from primary to DR; a
 * writer identity that may read and write backups but delete none, and a reader for the restore
 * drill that may only read them.
 */
export class BackupStorage extends pulumi.ComponentResource {
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;

  constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:backup:BackupStorage", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    const kept = { parent: this, protect: args.protect };

    const key = (suffix: string, region: string) =>
      new kms.Key(
        `${name}-${suffix}-key`,
        { region, description: `mcp-platform backups (${suffix}) of ${args.namespace}`, enableKeyRotation: true, deletionWindowInDays: 30 },
        kept,
      );
    const bucket = (suffix: string, bucketName: string, region: string, kmsKey: kms.Key) => {
      const b = new s3.Bucket(`${name}-${suffix}`, { bucket: bucketName, region, objectLockEnabled: config.objectLock.enabled }, kept);
      const on = { parent: this, dependsOn: [b] };
      const versioning = new s3.BucketVersioning(`${name}-${suffix}-versioning`, { bucket: b.id, region, versioningConfiguration: { status: "Enabled" } }, on);
      new s3.BucketServerSideEncryptionConfiguration(
        `${name}-${suffix}-encryption`,
        { bucket: b.id, region, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKey.arn }, bucketKeyEnabled: true }] },
        on,
      );
      new s3.BucketPublicAccessBlock(
        `${name}-${suffix}-public-access`,
        { bucket: b.id, region, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        on,
      );
      new s3.BucketOwnershipControls(`${name}-${suffix}-ownership`, { bucket: b.id, region, rule: { objectOwnership: "BucketOwnerEnforced" } }, on);
      new s3.BucketPolicy(`${name}-${suffix}-tls-only`, { bucket: b.id, region, policy: b.arn.apply((arn) => JSON.stringify(tlsOnlyPolicy(arn))) }, on);
      new s3.BucketLifecycleConfiguration(
        `${name}-${suffix}-retention`,
        { bucket: b.id, region, rules: lifecycleRules(config.retention) },
        { parent: this, dependsOn: [versioning] },
      );
      if (config.objectLock.enabled) {
        new s3.BucketObjectLockConfiguration(
          `${name}-${suffix}-object-lock`,
          { bucket: b.id, region, rule: { defaultRetention: { mode: "GOVERNANCE", days: config.objectLock.days } } },
          { parent: this, dependsOn: [versioning] },
        );
      }
      return { bucket: b, versioning };
    };

    this.key = key("primary", config.region);
    const drKey = key("dr", config.drRegion);
    const primary = bucket("primary", config.bucket, config.region, this.key);
    const dr = bucket("dr", config.drBucket, config.drRegion, drKey);
    this.bucket = primary.bucket;

    // Replication to the disaster-recovery region (BAK-3).
    const role = new iam.Role(
      `${name}-replication`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      child,
    );
    const rolePolicy = new iam.RolePolicy(
      `${name}-replication`,
      {
        role: role.id,
        policy: pulumi
          .all([primary.bucket.arn, this.key.arn, dr.bucket.arn, drKey.arn])
          .apply(([bucketArn, keyArn, drBucketArn, drKeyArn]) =>
            JSON.stringify(replicationPolicy({ bucketArn, keyArn }, { bucketArn: drBucketArn, keyArn: drKeyArn })),
          ),
      },
      child,
    );
    new s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: primary.bucket.id,
        region: config.region,
        role: role.arn,
        rules: [
          {
            id: "to-disaster-recovery",
            status: "Enabled",
            filter: {},
            deleteMarkerReplication: { status: "Disabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: { bucket: dr.bucket.arn, storageClass: "STANDARD_IA", encryptionConfiguration: { replicaKmsKeyId: drKey.arn } },
          },
        ],
      },
      { parent: this, dependsOn: [primary.versioning, dr.versioning, rolePolicy] },
    );

    // The backup writer, and the restore drill's reader, unless the pods assume roles through IRSA.
    if (!config.irsaRoleArn) {
      const identity = (suffix: string, secretName: string, policy: (bucketArn: string, keyArn: string) => PolicyDocument) => {
        const user = new iam.User(`${name}-${suffix}`, { path: "/mcp-platform/", tags: { namespace: args.namespace } }, child);
        new iam.UserPolicy(
          `${name}-${suffix}`,
          { user: user.name, policy: pulumi.all([primary.bucket.arn, this.key.arn]).apply(([b, k]) => JSON.stringify(policy(b, k))) },
          child,
        );
        const accessKey = new iam.AccessKey(`${name}-${suffix}`, { user: user.name }, child);
        new corev1.Secret(
          `${name}-${suffix === "writer" ? "credentials" : `${suffix}-credentials`}`,
          {
            metadata: { name: secretName, namespace: args.namespace, labels: MANAGED_LABELS },
            stringData: { ACCESS_KEY_ID: accessKey.id, ACCESS_SECRET_KEY: accessKey.secret },
          },
          child,
        );
      };
      identity("writer", BACKUP_CREDENTIALS, (b, k) => writerPolicy(b, k, args.restoreSource));
      if (config.drill.enabled) identity("reader", BACKUP_READER_CREDENTIALS, readerPolicy);
    }
    this.registerOutputs({ bucket: this.bucket.bucket });
  }
}
