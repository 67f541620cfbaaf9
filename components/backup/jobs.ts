import * as fs from "fs";
import * as path from "path";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { imageReference, postgresMajor, type BackupsConfig, type PostgresConfig } from "../../config";
import { renderBackupJobs } from "./jobs-render";

/** backup/ of this project: the scripts the jobs run, and the Dockerfile of their tools. */
const BACKUP_DIR = path.resolve(__dirname, "../../backup");
/** The scripts the CronJobs run (bench.sh is for operators' machines). */
const JOB_SCRIPTS = ["lib.sh", "logical-backup.sh", "restore-check.sh", "volume-backup.sh", "restore.sh", "volume-restore.sh"];

export interface BackupJobsArgs {
  backups: BackupsConfig;
  postgres: PostgresConfig;
  namespace: string;
}

/**
 * The backup CronJobs (logical backup, restore check, volume backups) and what they run: the
 * scripts of backup/ in a ConfigMap, and the tools image, built and pushed here when the stack asks.
 */
export class BackupJobs extends pulumi.ComponentResource {
  constructor(name: string, args: BackupJobsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:backup:BackupJobs", name, {}, opts);
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
    const m = renderBackupJobs(args.backups, { namespace: args.namespace, image, scripts, postgres: args.postgres });

    const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, m.serviceAccount, child);
    const configMap = new k8s.core.v1.ConfigMap(`${name}-scripts`, m.scripts, child);
    new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, m.networkPolicy, child);
    for (const [jobName, cronJob] of Object.entries(m.cronJobs)) {
      new k8s.batch.v1.CronJob(jobName, cronJob, { ...child, dependsOn: [account, configMap] });
    }
    this.registerOutputs({});
  }
}
