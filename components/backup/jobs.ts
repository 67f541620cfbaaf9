import * as fs from "fs";
import * as path from "path";
import * as docker from "@pulumi/docker";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as rbacv1 from "@pulumi/kubernetes/rbac/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as pulumi from "@pulumi/pulumi";
import { imageReference, postgresMajor, type BackupsConfig, type PlatformConfig, type PostgresConfig } from "../../config";
import { backupGateJob, renderBackupJobs } from "./jobs-render";
import { preReleaseBackup } from "./cnpg-render";
import { renderRestoreDrill } from "./drill-render";
import { POSTGRES_LABELS, postgresNames } from "../postgres/public";
import { JOB_NAMES } from "./names";

/** backup/ of this project: the scripts the jobs run, and the Dockerfile of their tools. */
const BACKUP_DIR = path.resolve(__dirname, "../../backup");
/** The scripts the CronJobs run (bench.sh is for operators' machines). */
const JOB_SCRIPTS = ["lib.sh", "logical-backup.sh", "restore-check.sh", "volume-backup.sh", "restore.sh", "volume-restore.sh", "restore-drill.sh", "verify-recovery.sh", "wait-backup.sh", "tenant-backup.sh", "tenant-restore.sh"];

export interface BackupJobsArgs {
  backups: BackupsConfig;
  postgres: PostgresConfig;
  namespace: string;
  monitoringNamespace: string;
  /** Of CloudNativePG, which must reach the restore drill's scratch cluster. */
  operatorNamespace: string;
  /** The stack's tenants, each backed up alone. */
  tenants?: PlatformConfig["tenants"];
}

/**
 * The backup CronJobs (logical backup, restore check, volume backups) and what they run: the
 * scripts of backup/ in a ConfigMap, and the tools image, built and pushed here when the stack asks.
 */
export class BackupJobs extends pulumi.ComponentResource {
  private readonly gate?: { image: pulumi.Input<string>; after: pulumi.Resource[] };
  private readonly args: BackupJobsArgs;

  constructor(name: string, args: BackupJobsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:backup:BackupJobs", name, {}, opts);
    this.args = args;
    const child = { parent: this };
    const jobs = args.backups.jobs;
    const image = jobs.build
      ? new docker.Image(
          `${name}-tools`,
          {
            imageName: imageReference({ repository: jobs.image.repository, tag: jobs.image.tag }),
            build: {
              // Relative to the project, where `pulumi up` runs: the same on every machine.
              context: path.relative(process.cwd(), BACKUP_DIR),
              dockerfile: path.join(path.relative(process.cwd(), BACKUP_DIR), "Dockerfile"),
              platform: "linux/amd64",
              // Validation made sure the operand image names its major version.
              args: { PG_MAJOR: postgresMajor(args.postgres.imageName)! },
            },
          },
          child,
        ).repoDigest
      : imageReference(jobs.image);
    const scripts = Object.fromEntries(JOB_SCRIPTS.map((file) => [file, fs.readFileSync(path.join(BACKUP_DIR, file), "utf8")]));
    const m = renderBackupJobs(args.backups, { namespace: args.namespace, image, scripts, postgres: args.postgres, tenants: args.tenants });

    const account = new corev1.ServiceAccount(`${name}-sa`, m.serviceAccount, child);
    const configMap = new corev1.ConfigMap(`${name}-scripts`, m.scripts, child);
    new networkingv1.NetworkPolicy(`${name}-netpol`, m.networkPolicy, child);
    for (const [jobName, cronJob] of Object.entries(m.cronJobs)) {
      new batchv1.CronJob(jobName, cronJob, { ...child, dependsOn: [account, configMap] });
    }
    if (m.gate) {
      const gateAccount = new corev1.ServiceAccount(`${name}-gate-sa`, m.gate.serviceAccount, child);
      const gateRole = new rbacv1.Role(`${name}-gate-role`, m.gate.role, child);
      const gateBinding = new rbacv1.RoleBinding(`${name}-gate-rolebinding`, m.gate.roleBinding, { ...child, dependsOn: [gateAccount, gateRole] });
      new networkingv1.NetworkPolicy(`${name}-gate-netpol`, m.gate.networkPolicy, child);
      this.gate = { image, after: [gateBinding, configMap] };
    }
    if (args.backups.drill.enabled) {
      const d = renderRestoreDrill(args.backups, { namespace: args.namespace, image, scripts, postgres: args.postgres, monitoringNamespace: args.monitoringNamespace, operatorNamespace: args.operatorNamespace });
      const drillAccount = new corev1.ServiceAccount(`${name}-drill-sa`, d.serviceAccount, child);
      const role = new rbacv1.Role(`${name}-drill-role`, d.role, child);
      const binding = new rbacv1.RoleBinding(`${name}-drill-rolebinding`, d.roleBinding, { ...child, dependsOn: [drillAccount, role] });
      const source = new CustomResource(`${name}-drill-source`, d.source, child);
      const template = new corev1.ConfigMap(`${name}-drill-template`, d.template, child);
      new networkingv1.NetworkPolicy(`${name}-drill-netpol`, d.drillPolicy, child);
      new networkingv1.NetworkPolicy(`${name}-drill-scratch-netpol`, d.scratchPolicy, child);
      new batchv1.CronJob(JOB_NAMES.restoreDrill, d.cronJob, { ...child, dependsOn: [binding, configMap, source, template] });
    }
    this.registerOutputs({});
  }

  /**
   * A release's pre-release base backup and the Job that waits for it (BAK-6, REL-8): the release's
   * migration and Deployment depend on the returned Job, which fails as soon as the backup does.
   */
  preRelease(release: { service: string; version: string }, parent: pulumi.Resource): pulumi.Resource {
    if (!this.gate) throw new Error("preRelease needs backups.preReleaseBackup");
    const { namespace, backups } = this.args;
    const backup = preReleaseBackup(postgresNames().cluster, namespace, POSTGRES_LABELS, release);
    const backupName = String(backup.metadata.name);
    const resource = new CustomResource(backupName, backup, { parent });
    // Named as its Backup, and never re-run for the same release (its template is immutable).
    return new batchv1.Job(`${backupName}-gate`, backupGateJob(backups, { namespace, image: this.gate.image }, backupName), {
      parent,
      dependsOn: [resource, ...this.gate.after],
      ignoreChanges: ["spec"],
    });
  }
}
