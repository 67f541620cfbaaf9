/** Data: production's stateful resources are protected from deletion; scheduled jobs cannot pile up or run forever. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, kubeObject } from "./lib";

/** Resource types whose deletion loses data, with how to recognise them. */
function statefulKind(type: string, props: Record<string, unknown>): string | undefined {
  if (type === "aws:s3/bucket:Bucket") return `S3 bucket ${props.bucket ?? ""}`.trim();
  if (type === "aws:kms/key:Key") return "KMS key (the backups cannot be decrypted without it)";
  const object = kubeObject(type, props);
  if (object?.kind === "Cluster" && object.apiVersion.startsWith("postgresql.cnpg.io/")) return `Postgres ${describe(object)}`;
  if (object?.kind === "StatefulSet" && ((object.spec as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates ?? []).length) return `${describe(object)} with volumes`;
  if (object?.kind === "PersistentVolumeClaim") return describe(object);
  return undefined;
}

export const statefulProtected: ResourceValidationPolicy = {
  name: "stateful-protected",
  description: "Stateful resources (Postgres clusters, StatefulSets with volumes, PersistentVolumeClaims, backup buckets and their KMS keys) are protected from deletion.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const what = statefulKind(args.type, args.props);
    if (what && !args.opts.protect) report(`${what} (${args.name}) is not protected: a stray \`pulumi destroy\` or rename would delete its data; create it with { protect: true }.`);
  },
};

export const cronJobSafety: ResourceValidationPolicy = {
  name: "cronjob-safety",
  description: "CronJobs never run twice at once (concurrencyPolicy Forbid), skip runs they missed by too much, stop after a deadline and keep a bounded history.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const object = kubeObject(args.type, args.props);
    if (object?.kind !== "CronJob") return;
    const spec = object.spec as {
      concurrencyPolicy?: string;
      startingDeadlineSeconds?: number;
      successfulJobsHistoryLimit?: number;
      failedJobsHistoryLimit?: number;
      jobTemplate?: { spec?: { activeDeadlineSeconds?: number } };
    };
    const problems = [
      spec.concurrencyPolicy !== "Forbid" && `concurrencyPolicy is ${spec.concurrencyPolicy ?? "Allow (the default)"}, not Forbid`,
      spec.startingDeadlineSeconds === undefined && "no startingDeadlineSeconds",
      spec.jobTemplate?.spec?.activeDeadlineSeconds === undefined && "no jobTemplate.spec.activeDeadlineSeconds",
      (spec.successfulJobsHistoryLimit === undefined || spec.failedJobsHistoryLimit === undefined) && "no successfulJobsHistoryLimit / failedJobsHistoryLimit",
    ].filter((p): p is string => typeof p === "string");
    if (problems.length) report(`${describe(object)}: ${problems.join("; ")}: set them so runs cannot overlap, pile up or hang.`);
  },
};

export const dataPolicies = [statefulProtected, cronJobSafety];
