/**
 * S3 backup storage (BAK-1..3). With @pulumi/aws v7 a bucket's encryption, versioning, public
 * access block, ownership, policy, lifecycle and replication are resources of their own, so these
 * are stack policies: each bucket must have the companion resources that make it safe.
 */
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

const BUCKET = "aws:s3/bucket:Bucket";
const TYPES = {
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
} as const;

/** A bucket's ARN: its output, else derived from its name (S3 ARNs carry no account or region). */
const bucketArn = (bucket: PolicyResource) => String(bucket.props.arn ?? `arn:aws:s3:::${String(bucket.props.bucket)}`);

/** Whether a companion resource configures the bucket: through its `bucket` input, by reference or by name. */
function configures(resource: PolicyResource, bucket: PolicyResource): boolean {
  const references = resource.propertyDependencies?.bucket ?? [];
  if (references.some((r) => r.urn === bucket.urn)) return true;
  const name = resource.props.bucket;
  return name !== undefined && (name === bucket.props.bucket || name === bucket.props.id);
}

type BucketCheck = (bucket: PolicyResource, companions: (type: string) => PolicyResource[], args: StackValidationArgs, report: (message: string) => void) => void;

/** A stack policy run once per bucket, given the bucket's companion resources of each type. */
function bucketPolicy(policy: Omit<StackValidationPolicy, "validateStack">, check: BucketCheck): StackValidationPolicy {
  return {
    ...policy,
    validateStack: (args, report: ReportViolation) => {
      for (const bucket of args.resources.filter((r) => r.type === BUCKET)) {
        const companions = (type: string) => args.resources.filter((r) => r.type === type && configures(r, bucket));
        check(bucket, companions, args, (message) => report(`S3 bucket ${bucket.props.bucket ?? bucket.name}: ${message}`, bucket.urn));
      }
    },
  };
}

export const s3EncryptionKms = bucketPolicy(
  { name: "s3-encryption-kms", description: "Backup buckets encrypt every object with a KMS key by default.", enforcementLevel: "mandatory" },
  (_bucket, companions, _args, report) => {
    const rules = companions(TYPES.encryption).flatMap((r) => (r.props.rules as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string } }[]) ?? []);
    const kms = rules.some((rule) => rule.applyServerSideEncryptionByDefault?.sseAlgorithm?.startsWith("aws:kms") && rule.applyServerSideEncryptionByDefault.kmsMasterKeyId);
    if (!kms) report("no default encryption with a KMS key: add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms and kmsMasterKeyId.");
  },
);

export const s3Versioning = bucketPolicy(
  { name: "s3-versioning", description: "Backup buckets keep versions, so an overwritten or deleted backup can be recovered.", enforcementLevel: "mandatory" },
  (_bucket, companions, _args, report) => {
    const enabled = companions(TYPES.versioning).some((r) => (r.props.versioningConfiguration as { status?: string } | undefined)?.status === "Enabled");
    if (!enabled) report("versioning is not enabled: add a BucketVersioning with status Enabled.");
  },
);

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlock = bucketPolicy(
  { name: "s3-public-access-block", description: "Backup buckets block every form of public access (all four flags).", enforcementLevel: "mandatory" },
  (_bucket, companions, _args, report) => {
    const block = companions(TYPES.publicAccess)[0];
    const off = PUBLIC_ACCESS_FLAGS.filter((flag) => block?.props[flag] !== true);
    if (off.length) report(`public access is not fully blocked (${off.join(", ")} not true): add a BucketPublicAccessBlock with all four flags true.`);
  },
);

export const s3AclsDisabled = bucketPolicy(
  { name: "s3-acls-disabled", description: "Backup buckets disable ACLs (bucket owner enforced): access is by policy only.", enforcementLevel: "mandatory" },
  (_bucket, companions, _args, report) => {
    const enforced = companions(TYPES.ownership).some((r) => (r.props.rule as { objectOwnership?: string } | undefined)?.objectOwnership === "BucketOwnerEnforced");
    if (!enforced) report("ACLs are not disabled: add BucketOwnershipControls with objectOwnership BucketOwnerEnforced.");
  },
);

interface Statement {
  Effect?: string;
  Condition?: { Bool?: Record<string, string | boolean> };
}

export const s3TlsOnly = bucketPolicy(
  { name: "s3-tls-only", description: "Backup buckets refuse requests that do not use TLS.", enforcementLevel: "mandatory" },
  (_bucket, companions, _args, report) => {
    const statements = companions(TYPES.policy).flatMap((r) => {
      try {
        return (JSON.parse(String(r.props.policy)) as { Statement?: Statement[] }).Statement ?? [];
      } catch {
        return [];
      }
    });
    const denies = statements.some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false");
    if (!denies) report('plain HTTP is not refused: add a bucket policy that denies s3:* when aws:SecureTransport is "false".');
  },
);

export const s3Retention = bucketPolicy(
  {
    name: "s3-retention",
    description: "Backup buckets have lifecycle rules, and none expires backups sooner than the environment's minimum retention (BAK-1).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minDays: { type: "integer", minimum: 1, default: 7, description: "Shortest retention, in days, of any expiring rule." } } },
  },
  (_bucket, companions, args, report) => {
    const minDays = args.getConfig<{ minDays: number }>().minDays;
    const lifecycles = companions(TYPES.lifecycle);
    if (!lifecycles.length) {
      report("has no lifecycle rules: add a BucketLifecycleConfiguration (retention, old versions, abandoned uploads).");
      return;
    }
    for (const rule of lifecycles.flatMap((r) => (r.props.rules as { id?: string; status?: string; expiration?: { days?: number } }[]) ?? [])) {
      const days = rule.expiration?.days;
      if (rule.status === "Enabled" && days !== undefined && days < minDays) report(`lifecycle rule ${rule.id ?? ""} deletes backups after ${days} days: this environment keeps them at least ${minDays}.`);
    }
  },
);

export const s3Replication = bucketPolicy(
  {
    name: "s3-replication",
    description: "Every backup bucket is replicated to a bucket in another region, or is such a replica (BAK-3).",
    enforcementLevel: "mandatory",
  },
  (bucket, companions, args, report) => {
    const isReplica = args.resources.some(
      (r) => r.type === TYPES.replication && ((r.props.rules as { destination?: { bucket?: string } }[]) ?? []).some((rule) => rule.destination?.bucket === bucketArn(bucket)),
    );
    if (isReplica) return;
    const replication = companions(TYPES.replication);
    if (!replication.length) {
      report("is not replicated: add a BucketReplicationConfig to the disaster-recovery bucket in another region (mcp-platform:backups.drBucket).");
      return;
    }
    for (const rule of replication.flatMap((r) => (r.props.rules as { destination?: { bucket?: string } }[]) ?? [])) {
      const target = args.resources.find((r) => r.type === BUCKET && bucketArn(r) === rule.destination?.bucket);
      if (target && target.props.region === bucket.props.region) report(`replicates to ${target.props.bucket} in the same region ${String(bucket.props.region)}: the disaster-recovery copy must be in another region.`);
    }
  },
);

export const kmsKeyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description: "Every KMS key rotates its key material yearly (enableKeyRotation), so a leaked key version protects less and less (Checkov CKV_AWS_7).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "aws:kms/key:Key") return;
    // Only symmetric encryption keys can rotate; the backup keys are.
    const spec = args.props.customerMasterKeySpec ?? args.props.keySpec ?? "SYMMETRIC_DEFAULT";
    if (spec === "SYMMETRIC_DEFAULT" && args.props.enableKeyRotation !== true) report(`KMS key ${args.name} does not rotate: set enableKeyRotation: true.`);
  },
};

export const s3Policies = [kmsKeyRotation, s3EncryptionKms, s3Versioning, s3PublicAccessBlock, s3AclsDisabled, s3TlsOnly, s3Retention, s3Replication];
