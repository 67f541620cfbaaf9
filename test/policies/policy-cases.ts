/**
 * Mutations of rendered stacks, one or more per policy of the pack, that the pack must catch: used by
 * test/policies/policies.test.ts (each caught with its message) and test/integration/policy-parity.test.ts (the
 * in-process path and the analyzer protocol report the same on each).
 */
import type { Plan, PlannedResource } from "../../tools/render-stack";
import type { K8sObject } from "../harness";

/** A deep copy of a plan, changed. */
export function mutated(plan: Plan, change: (plan: Plan) => void): Plan {
  const copy = JSON.parse(JSON.stringify(plan)) as Plan;
  change(copy);
  return copy;
}

/** The resources of `plan` that differ from `original`'s (what a preview of that update analyzes); undefined for the original itself. */
export function changedUrns(original: Plan, plan: Plan): Set<string> | undefined {
  if (plan === original) return undefined;
  const before = new Map(original.resources.map((r) => [r.urn, JSON.stringify(r)]));
  return new Set(plan.resources.filter((r) => before.get(r.urn) !== JSON.stringify(r)).map((r) => r.urn));
}

/** The resource of a Kubernetes object "Kind/name", or of a type and name. */
export function find(plan: Plan, id: string): PlannedResource {
  const cut = id.lastIndexOf("/");
  const [kind, name] = [id.slice(0, cut), id.slice(cut + 1)];
  const found = plan.resources.find((r) => (r.inputs as K8sObject).kind === kind && (r.inputs as K8sObject).metadata?.name === name) ?? plan.resources.find((r) => r.type === kind && r.name === name);
  if (!found) throw new Error(`no ${id} in the plan of ${plan.stack}`);
  return found;
}
export const object = (plan: Plan, id: string) => find(plan, id).inputs as K8sObject;
export const pod = (o: K8sObject) => (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);
export const remove = (plan: Plan, id: string) => plan.resources.splice(plan.resources.indexOf(find(plan, id)), 1);

export type Case = [policy: string, stack: string, what: string, change: (plan: Plan) => void, message: RegExp];

const S3 = (name: string) => `aws:s3/${name}`;
/** For every policy, realistic mutations of a rendered stack it must catch, with the message it must report. */
export const cases: Case[] = [
  ["container-resources", "production", "a container without a CPU request", (p) => delete pod(object(p, "Deployment/worker")).containers[0].resources.requests.cpu, /Deployment\/worker container app has no a CPU request/],
  ["container-resources", "production", "a limit above the maximum", (p) => (pod(object(p, "Deployment/worker")).containers[0].resources.limits.memory = "16Gi"), /memory limit 16Gi is above this environment's maximum 8Gi/],
  [
    "container-resources",
    "production",
    "a chart value above the maximum",
    (p) => (find(p, "kubernetes:helm.sh/v3:Release/monitoring-stack-loki").inputs.values = { singleBinary: { resources: { limits: { cpu: "16" } } } }),
    /Helm release monitoring-stack-loki values\.singleBinary\.resources: CPU limit 16 is above this environment's maximum 4/,
  ],
  ["container-probes", "production", "identical probes", (p) => { const c = pod(object(p, "Deployment/api-blue")).containers[0]; c.livenessProbe = c.readinessProbe; }, /identical readiness and liveness probes/],
  ["container-probes", "staging", "a sidecar without readiness", (p) => delete pod(object(p, "StatefulSet/redis-cache")).containers[1].readinessProbe, /StatefulSet\/redis-cache container exporter has no readinessProbe/],
  ["image-pinned", "production", "a moving tag", (p) => (pod(object(p, "Deployment/worker")).containers[0].image = "ghcr.io/example/mcp-server:latest"), /moving tag "latest".*\n.*has no digest/s],
  ["image-pinned", "staging", "an unknown registry", (p) => (pod(object(p, "Deployment/worker")).containers[0].image = "registry.evil.example/mcp-server:1.4.2"), /comes from registry\.evil\.example, which is not an allowed registry/],
  [
    "image-pinned",
    "production",
    "a chart image on latest",
    (p) => (find(p, "kubernetes:helm.sh/v3:Release/monitoring-stack-tempo").inputs.values = { tempo: { image: { repository: "grafana/tempo", tag: "latest" } } }),
    /Helm release monitoring-stack-tempo values\.tempo\.image: image grafana\/tempo:latest uses the moving tag/,
  ],
  ["pod-security-restricted", "production", "a writable root filesystem", (p) => (pod(object(p, "CronJob/logical-backup")).containers[0].securityContext = { readOnlyRootFilesystem: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } }), /CronJob\/logical-backup container backup can write its root filesystem/],
  ["pod-security-restricted", "staging", "the host network", (p) => (pod(object(p, "Deployment/edge")).hostNetwork = true), /Deployment\/edge uses the host's network/],
  ["pod-security-restricted", "staging", "root", (p) => (pod(object(p, "Deployment/worker")).securityContext.runAsUser = 0), /container app has uid 0: set a non-zero runAsUser/],
  ["image-pinned", "production", "a third-party image by tag alone (Redis)", (p) => (pod(object(p, "StatefulSet/redis-queue")).containers[0].image = "redis:7.4.2"), /StatefulSet\/redis-queue container redis: .*digest/],
  ["image-pinned", "production", "the PostgreSQL operand by tag alone", (p) => (object(p, "Cluster/postgres").spec.imageName = "ghcr.io/cloudnative-pg/postgresql:17.5"), /Cluster\/postgres spec\.imageName: .*digest/],
  ["kms-key-rotation", "production", "a backup key that does not rotate", (p) => (p.resources.find((r) => r.type === "aws:kms/key:Key")!.inputs.enableKeyRotation = false), /KMS key backups-primary-key does not rotate: set enableKeyRotation: true/],
  ["ephemeral-storage-bounded", "production", "a container without an ephemeral-storage limit", (p) => delete pod(object(p, "Deployment/worker")).containers[0].resources.limits["ephemeral-storage"], /Deployment\/worker container app has no ephemeral-storage limit/],
  ["ephemeral-storage-bounded", "staging", "an unbounded /tmp", (p) => delete pod(object(p, "Deployment/worker")).volumes[0].emptyDir.sizeLimit, /Deployment\/worker volume writable-0 is an emptyDir without a sizeLimit/],
  ["no-service-account-token", "production", "an automounted token", (p) => (pod(object(p, "StatefulSet/redis-queue")).automountServiceAccountToken = true), /StatefulSet\/redis-queue mounts a service account token/],
  ["no-secret-literals", "production", "an API key in plain text", (p) => pod(object(p, "Deployment/api-blue")).containers[0].env.push({ name: "STRIPE_API_KEY", value: "sk_live_123" }), /sets STRIPE_API_KEY to a literal value: move it to a Secret/],
  [
    "no-bare-pods",
    "staging",
    "a migration run as a bare Pod",
    (p) => {
      const job = p.resources.find((r) => r.type === "kubernetes:batch/v1:Job")!;
      const o = job.inputs as K8sObject;
      Object.assign(job, { type: "kubernetes:core/v1:Pod", urn: job.urn.replace("batch/v1:Job", "core/v1:Pod"), inputs: { apiVersion: "v1", kind: "Pod", metadata: o.metadata, spec: o.spec.template.spec } });
    },
    /Pod\/api-migrate-\w+ is a bare Pod/,
  ],
  ["not-default-namespace", "staging", "an object in default", (p) => delete object(p, "ConfigMap/edge-nginx").metadata.namespace, /ConfigMap\/edge-nginx is in the default namespace \(no metadata\.namespace\)/],
  ["recommended-labels", "production", "a missing label", (p) => delete object(p, "Deployment/worker").metadata.labels!["app.kubernetes.io/part-of"], /Deployment\/worker lacks the label app\.kubernetes\.io\/part-of/],
  ["replicas-minimum", "production", "a single worker", (p) => (object(p, "Deployment/worker").spec.replicas = 1), /Deployment\/worker runs 1 replica\(s\); this environment needs at least 2/],
  ["replicas-minimum", "production", "two edge pods", (p) => (object(p, "Deployment/edge").spec.replicas = 2), /Deployment\/edge runs 2 replica\(s\); it serves public traffic, so this environment needs at least 3/],
  ["replicas-minimum", "production", "a public service autoscaled from 2", (p) => (object(p, "HorizontalPodAutoscaler/api-blue").spec.minReplicas = 2), /Deployment\/api-blue runs 2 replica\(s\); it serves public traffic/],
  ["pod-disruption-budget", "production", "no budget", (p) => remove(p, "PodDisruptionBudget/worker"), /Deployment\/worker runs 2 replicas without a PodDisruptionBudget/],
  ["pod-disruption-budget", "production", "a budget that blocks drains", (p) => { const spec = object(p, "PodDisruptionBudget/edge").spec; delete spec.maxUnavailable; spec.minAvailable = "100%"; }, /PodDisruptionBudget\/edge allows no disruption of Deployment\/edge/],
  ["topology-spread", "production", "no spreading", (p) => delete pod(object(p, "Deployment/worker")).topologySpreadConstraints, /Deployment\/worker may run several replicas on one node/],
  ["autoscaling-bounds", "production", "a floor below the environment's", (p) => (object(p, "HorizontalPodAutoscaler/api-blue").spec.minReplicas = 1), /may scale down to 1: this environment's floor is 2/],
  ["autoscaling-bounds", "production", "min above max", (p) => (object(p, "HorizontalPodAutoscaler/api-blue").spec.minReplicas = 12), /minReplicas 12 above maxReplicas/],
  ["rolling-update-zero-downtime", "production", "maxUnavailable 1", (p) => (object(p, "Deployment/edge").spec.strategy.rollingUpdate.maxUnavailable = 1), /Deployment\/edge may take pods down before their replacements are ready \(maxUnavailable 1\)/],
  ["service-exposure", "staging", "a LoadBalancer for the API", (p) => (object(p, "Service/api").spec.type = "LoadBalancer"), /Service\/api is of type LoadBalancer: only edge may be/],
  ["namespace-default-deny", "production", "no default deny", (p) => remove(p, "NetworkPolicy/default-deny"), /Namespace\/mcp-production has no default-deny NetworkPolicy/],
  ["edge-tls", "production", "TLS 1.0 and no redirect", (p) => { const data = object(p, "ConfigMap/edge-nginx").data; data["nginx.conf"] = data["nginx.conf"].replace("ssl_protocols TLSv1.2", "ssl_protocols TLSv1 TLSv1.2").replace(/return 308 https:\/\/\S+;/, "return 404;"); }, /ssl_protocols allows versions older than TLSv1\.2.*; plain HTTP is not redirected to HTTPS/],
  ["stateful-protected", "production", "an unprotected Postgres cluster", (p) => (find(p, "Cluster/postgres").options.protect = false), /Postgres Cluster\/postgres \(postgres-cluster\) is not protected/],
  ["stateful-protected", "production", "an unprotected KMS key", (p) => (find(p, "aws:kms/key:Key/backups-primary-key").options.protect = false), /KMS key .* \(backups-primary-key\) is not protected/],
  ["cronjob-safety", "staging", "overlapping runs", (p) => (object(p, "CronJob/restore-check").spec.concurrencyPolicy = "Allow"), /CronJob\/restore-check: concurrencyPolicy is Allow, not Forbid/],
  ["s3-encryption-kms", "production", "AES256", (p) => (find(p, `${S3("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")}/backups-primary-encryption`).inputs.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]), /example-mcp-platform-production-backups: no default encryption with a KMS key/],
  ["s3-versioning", "staging", "suspended versioning", (p) => (find(p, `${S3("bucketVersioning:BucketVersioning")}/backups-dr-versioning`).inputs.versioningConfiguration = { status: "Suspended" }), /staging-backups-dr: versioning is not enabled/],
  ["s3-public-access-block", "production", "a flag off", (p) => (find(p, `${S3("bucketPublicAccessBlock:BucketPublicAccessBlock")}/backups-primary-public-access`).inputs.restrictPublicBuckets = false), /public access is not fully blocked \(restrictPublicBuckets not true\)/],
  ["s3-acls-disabled", "production", "object writer ownership", (p) => (find(p, `${S3("bucketOwnershipControls:BucketOwnershipControls")}/backups-dr-ownership`).inputs.rule = { objectOwnership: "ObjectWriter" }), /production-backups-dr: ACLs are not disabled/],
  ["s3-tls-only", "staging", "no TLS-only policy", (p) => remove(p, `${S3("bucketPolicy:BucketPolicy")}/backups-primary-tls-only`), /staging-backups: plain HTTP is not refused/],
  ["s3-retention", "production", "7-day logical backups", (p) => ((find(p, `${S3("bucketLifecycleConfiguration:BucketLifecycleConfiguration")}/backups-primary-retention`).inputs.rules as { expiration?: { days: number } }[])[0].expiration!.days = 7), /lifecycle rule logical-backups deletes backups after 7 days: this environment keeps them at least 30/],
  ["s3-replication", "production", "no replication", (p) => remove(p, `${S3("bucketReplicationConfig:BucketReplicationConfig")}/backups-replication`), /production-backups: is not replicated/],
  ["s3-replication", "production", "a DR bucket in the same region", (p) => (find(p, "aws:s3/bucket:Bucket/backups-dr").inputs.region = "eu-west-1"), /replicates to example-mcp-platform-production-backups-dr in the same region eu-west-1/],
  ["backup-configured-and-verified", "production", "no restore check", (p) => remove(p, "CronJob/restore-check"), /Cluster\/postgres: no restore-check CronJob verifying the backups/],
  ["pre-release-backup", "production", "a migration without a backup", (p) => { const job = p.resources.find((r) => r.type === "kubernetes:batch/v1:Job" && r.name.startsWith("api-migrate-"))!; job.options.dependsOn = job.options.dependsOn.filter((u) => !/:Backup::|-gate$/.test(u)); }, /Job\/api-migrate-\w+ migrates the database without a backup first/],
  ["pre-release-backup", "production", "a Deployment released without a backup", (p) => { const deployment = p.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "worker")!; deployment.options.dependsOn = deployment.options.dependsOn.filter((u) => !u.endsWith("-gate")); }, /Deployment\/worker rolls out a release without a backup first/],
  ["rollback-ready", "staging", "no standby colour", (p) => remove(p, "Deployment/api-green"), /blue-green service api has only its blue colour/],
  ["monitoring-alerts-active", "production", "a missing alert", (p) => { for (const g of object(p, "PrometheusRule/mcp-platform").spec.groups) g.rules = g.rules.filter((r: { alert?: string }) => r.alert !== "RestoreCheckFailed"); }, /alerts missing: RestoreCheckFailed \(for the restore-check CronJob\)/],
  ["alert-receivers-configured", "production", "receivers without integrations", (p) => (object(p, "Secret/alertmanager-mcp-platform").stringData["alertmanager.yaml"] = "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n"), /no receiver has a PagerDuty, Slack, e-mail or webhook integration/],
  ["capacity-plan", "production", "1,000 tenants on production's requests", (p) => planFor(p, 1000), /CPU requests at rest \(5\.12\) carry 31 tenants by the plan \(2 \+ 0\.1 per tenant\); 1000 tenants are planned .*past the 90 % line: raise it to at least 113\.11/],
  ["capacity-plan-warning", "production", "past 80 % of what the memory requests carry", (p) => planFor(p, 15), /memory requests at rest \(8\.39Gi\) carry 17 tenants by the plan \(4Gi \+ 0\.25Gi per tenant\); 15 tenants are planned .*past the 80 % line: past the warning line/],
];

/** Declares a capacity plan for `tenants` on the plan's Namespace, as mcp-platform:capacity does (CAP-4's amounts). */
export function planFor(plan: Plan, tenants: number, extra: Record<string, string> = {}) {
  const namespace = object(plan, "Namespace/mcp-production");
  const annotation = { tenants, baseCpu: "2", perTenantCpu: "100m", baseMemory: "4Gi", perTenantMemory: "256Mi", baseDatabase: "20Gi", perTenantDatabase: "1Gi", ...extra };
  namespace.metadata = { ...namespace.metadata, annotations: { ...namespace.metadata.annotations, "mcp-platform.io/capacity-plan": JSON.stringify(annotation) } };
}
