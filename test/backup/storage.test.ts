/** Backup storage on S3 (BAK-1..3): pure policies and retention, and the wiring in both stacks. */
import { lifecycleRules, PREFIXES, tlsOnlyPolicy, writerPolicy } from "../../components/backup/storage-render";
import { objects, render, resource, STACKS, type K8sObject } from "../harness";
import type { Plan, PlannedResource } from "../../tools/render-stack";

const plans = new Map<string, Plan>();
beforeAll(async () => {
  for (const stack of STACKS) plans.set(stack, await render(stack));
});

describe("retention and policies", () => {
  it("expire logical dumps and volume archives after their retention, old versions and abandoned uploads everywhere, and leave the WAL chain to CloudNativePG", () => {
    const rules = lifecycleRules({ baseBackupDays: 30, logicalDays: 14, volumeDays: 21, noncurrentDays: 7 });
    expect(rules.map((r) => [r.id, (r.filter as { prefix?: string }).prefix ?? "", (r.expiration as { days?: number } | undefined)?.days ?? null])).toEqual([
      ["logical-backups", PREFIXES.logical, 14],
      ["volume-backups", PREFIXES.volumes, 21],
      ["physical-archive-versions", PREFIXES.physical, null],
      ["abort-incomplete-uploads", "", null],
    ]);
  });

  it("deny plain-HTTP access to the bucket", () => {
    expect(tlsOnlyPolicy("arn:aws:s3:::b").Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  it("let the writer read and write backups, and delete nothing", () => {
    const actions = writerPolicy("arn:aws:s3:::b", "arn:aws:kms:eu-west-1:1:key/k").Statement.flatMap((s) => s.Action);
    expect(actions.sort()).toEqual(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "s3:GetObject", "s3:ListBucket", "s3:PutObject"]);
  });
});

describe.each(STACKS)("backup storage of the %s stack", (stack) => {
  const plan = () => plans.get(stack)!;
  const ofType = (type: string) => plan().resources.filter((r) => r.type === type);
  const forBucket = (type: string, bucket: PlannedResource) => ofType(type).find((r) => r.name.startsWith(bucket.name));

  it("has a primary and a disaster-recovery bucket in two regions, each with its own rotated KMS key", () => {
    const buckets = ofType("aws:s3/bucket:Bucket");
    expect(buckets.map((b) => [b.name, b.inputs.region])).toEqual([
      ["backups-primary", "eu-west-1"],
      ["backups-dr", "eu-central-1"],
    ]);
    const keys = ofType("aws:kms/key:Key");
    expect(keys.map((k) => [k.inputs.region, k.inputs.enableKeyRotation])).toEqual([
      ["eu-west-1", true],
      ["eu-central-1", true],
    ]);
  });

  it("encrypts with KMS, versions, blocks public access, disables ACLs and requires TLS on both buckets", () => {
    for (const bucket of ofType("aws:s3/bucket:Bucket")) {
      expect(forBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", bucket)?.inputs.rules).toEqual([
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: expect.stringMatching(/^arn:aws:kms:/) }, bucketKeyEnabled: true },
      ]);
      expect(forBucket("aws:s3/bucketVersioning:BucketVersioning", bucket)?.inputs.versioningConfiguration).toEqual({ status: "Enabled" });
      expect(forBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket)?.inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(forBucket("aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket)?.inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
      const policy = JSON.parse(forBucket("aws:s3/bucketPolicy:BucketPolicy", bucket)!.inputs.policy as string);
      expect(policy.Statement[0].Resource).toEqual([`arn:aws:s3:::${bucket.inputs.bucket}`, `arn:aws:s3:::${bucket.inputs.bucket}/*`]);
    }
  });

  it("keeps backups as long as the stack says", () => {
    const rules = resource(plan(), "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backups-primary-retention").inputs.rules as { id: string; expiration?: { days?: number } }[];
    expect(rules.find((r) => r.id === "logical-backups")?.expiration?.days).toBe(stack === "production" ? 30 : 7);
    const store = objects(plan()).get("ObjectStore/backups") as K8sObject;
    expect(store.spec.retentionPolicy).toBe(stack === "production" ? "30d" : "7d");
  });

  it("replicates the primary to the disaster-recovery bucket, re-encrypted with the DR key", () => {
    const replication = resource(plan(), "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "backups-replication");
    expect(replication.inputs.rules).toEqual([
      expect.objectContaining({
        status: "Enabled",
        destination: { bucket: `arn:aws:s3:::example-mcp-platform-${stack}-backups-dr`, storageClass: "STANDARD_IA", encryptionConfiguration: { replicaKmsKeyId: expect.stringMatching(/eu-central-1/) } },
      }),
    ]);
  });

  it("hands the cluster the writer's key as a Secret, never in plain text", () => {
    const secret = resource(plan(), "kubernetes:core/v1:Secret", "backups-credentials");
    expect(secret.inputs.stringData).toEqual({ ACCESS_KEY_ID: "[secret]", ACCESS_SECRET_KEY: "[secret]" });
    expect(JSON.stringify(plan())).not.toContain("mock-backups-writer-secret");
  });

  it(`${stack === "production" ? "protects" : "does not protect"} the buckets and keys, and locks objects ${stack === "production" ? "" : "only "}in production`, () => {
    const production = stack === "production";
    for (const r of [...ofType("aws:s3/bucket:Bucket"), ...ofType("aws:kms/key:Key")]) expect(r.options.protect).toBe(production);
    expect(ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")).toHaveLength(production ? 2 : 0);
  });
});

describe("IRSA", () => {
  it("replaces the writer and reader users and their keys", async () => {
    const plan = await render("staging", (v) => {
      const backups = v["mcp-platform:backups"] as Record<string, unknown>;
      backups.irsaRoleArn = "arn:aws:iam::123456789012:role/backup";
      backups.drill = { readerRoleArn: "arn:aws:iam::123456789012:role/backup-reader" };
    });
    expect(plan.resources.some((r) => r.type === "aws:iam/user:User" || r.type === "aws:iam/accessKey:AccessKey")).toBe(false);
  });
});
