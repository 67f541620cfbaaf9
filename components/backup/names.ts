/** Names the backup component gives its objects and pods, which other parts (monitoring, the platform) refer to. */
import { partSelector } from "../labels";

/** Name of the Kubernetes Secret with the backup writer's access key (unless IRSA is used). */
export const BACKUP_CREDENTIALS = "backup-s3-credentials";
/** Name of the Secret with the read-only access key the restore drill reads backups with (unless IRSA is used). */
export const BACKUP_READER_CREDENTIALS = "backup-s3-reader-credentials";

/** CronJob names: the monitoring rules watch `restore-check` and `restore-drill` (RestoreCheck*, RestoreDrill*). */
export const JOB_NAMES = {
  logical: "logical-backup",
  tenants: "tenant-backups",
  restoreCheck: "restore-check",
  restoreDrill: "restore-drill",
  volume: (claim: string) => `volume-backup-${claim}`,
} as const;

/** What the jobs' pods carry: the CronJobs' pods all share the NetworkPolicy of the backup jobs. */
export const backupJobLabels = partSelector("backup-jobs");

export const DRILL = {
  /**
   * The scratch cluster: its Services are restore-drill-scratch-rw and friends, its superuser Secret
   * restore-drill-scratch-superuser. Never the drill's own account name: CloudNativePG creates a
   * ServiceAccount, Role and RoleBinding named as each Cluster and rewrites that Role's rules.
   */
  cluster: "restore-drill-scratch",
  account: "restore-drill",
  source: "restore-drill-source",
  template: "restore-drill-cluster",
} as const;

/** The drill's pods (not the backup jobs': they may not reach the live cluster). */
export const drillPodLabels = partSelector("restore-drill");

/** Names of the base backups taken before releases (and of the Jobs that wait for them). */
export const PRE_RELEASE_PREFIX = "pre-release";
