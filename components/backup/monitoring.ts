/** The backups' rules: base backups and WAL archiving through the barman-cloud plugin, the restore check, the pre-release backup and the restore drill (BAK-1, BAK-2, BAK-4 to BAK-8). */
import type { AlertingRule, DashboardContext, Panel, PartRules, RuleKit } from "../monitoring/public";
import { JOB_NAMES, PRE_RELEASE_PREFIX } from "./names";

/** Series the restore drill pushes (backup/restore-drill.sh), grouped by job and cluster on the Pushgateway. */
export const DRILL_METRICS = {
  success: "mcp_restore_drill_success",
  duration: "mcp_restore_drill_duration_seconds",
  recoveryPointAge: "mcp_restore_drill_recovery_point_age_seconds",
} as const;

export function backupRules(kit: RuleKit): PartRules {
  const { ns, has, alert, staleCronJob, failedJobs } = kit;
  const t = kit.thresholds;
  const barman = (metric: string) => `max by (namespace, cluster) (barman_cloud_cloudnative_pg_io_${metric}{${ns}})`;
  const alerts: AlertingRule[] = [
    ...(has.postgres && has.backups
      ? [
          alert(
            "BackupStale",
            "high",
            // 0 while the ObjectStore has no backup of the cluster: a cluster that never completed one is stale too.
            `time() - ${barman("last_available_backup_timestamp")} > ${t.backupMaxAgeHours * 3600}`,
            "30m",
            "The newest base backup of {{ $labels.cluster }} is {{ $value | humanizeDuration }} old",
            `No successful base backup of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} for more than ${t.backupMaxAgeHours} h (BAK-1, BAK-8).`,
          ),
          alert(
            "BackupFailed",
            "high",
            `${barman("last_failed_backup_timestamp")} > ${barman("last_available_backup_timestamp")}`,
            "5m",
            "The last base backup of {{ $labels.cluster }} failed",
            "The most recent base backup of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} failed after the last good one (BAK-8).",
          ),
          alert(
            "BackupMetricsAbsent",
            "warning",
            `absent(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${ns}})`,
            "30m",
            "No backup metrics from the barman-cloud plugin",
            "Prometheus has no backup metrics of the barman-cloud plugin from {{ $labels.namespace }}: BackupStale and BackupFailed cannot fire (BAK-8).",
          ),
          alert(
            "WALArchivingFailing",
            "critical",
            `max by (namespace, cluster) (cnpg_pg_stat_archiver_last_failed_time{${ns}} - cnpg_pg_stat_archiver_last_archived_time{${ns}}) > 0`,
            "5m",
            "WAL archiving of {{ $labels.cluster }} fails",
            "The last attempt to archive a WAL file of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} failed after the last success: point-in-time recovery stops advancing, and unarchived WAL fills the volume (BAK-2, BAK-5).",
          ),
          alert(
            "WALArchivingBehind",
            "warning",
            `max by (namespace, cluster) (cnpg_collector_pg_wal_archive_status{${ns},value="ready"}) > ${t.walArchiveBacklog}`,
            "10m",
            "{{ $value }} WAL files of {{ $labels.cluster }} wait to be archived",
            `More than ${t.walArchiveBacklog} WAL files of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} are ready but not archived: archiving falls behind the writes (BAK-2).`,
          ),
          alert(
            "RestoreCheckStale",
            "high",
            staleCronJob(JOB_NAMES.restoreCheck, t.restoreCheckMaxAgeHours),
            "30m",
            "No successful restore check for {{ $value | humanizeDuration }}",
            `The restore-check job in {{ $labels.namespace }} has not succeeded for more than ${t.restoreCheckMaxAgeHours} h (BAK-4, BAK-8).`,
          ),
          alert(
            "RestoreCheckFailed",
            "high",
            failedJobs(JOB_NAMES.restoreCheck),
            "5m",
            "Restore check {{ $labels.job_name }} failed",
            "A restore of the newest backup into a scratch database failed its checks in {{ $labels.namespace }} (BAK-4).",
          ),
        ]
      : []),
    ...(has.postgres && has.backups && has.preReleaseBackup
      ? [
          alert(
            "PreReleaseBackupFailed",
            "critical",
            failedJobs(PRE_RELEASE_PREFIX),
            "1m",
            "Pre-release backup {{ $labels.job_name }} failed: the release is stopped",
            "The base backup {{ $labels.job_name }} taken before a release in {{ $labels.namespace }} failed, so the release's migration and rollout did not start (BAK-6, REL-8).",
          ),
        ]
      : []),
    ...(has.postgres && has.backups && has.drill
      ? [
          alert(
            "RestoreDrillFailed",
            "high",
            `max by (namespace, cluster) (${DRILL_METRICS.success}{${ns}}) == 0 or ${failedJobs(JOB_NAMES.restoreDrill)}`,
            "5m",
            "The restore drill of {{ $labels.namespace }} failed",
            "The last physical restore drill in {{ $labels.namespace }} could not recover a scratch cluster from the backups to its target time, or its checks failed (BAK-4, BAK-5, BAK-8).",
          ),
          alert(
            "RestoreDrillStale",
            "high",
            staleCronJob(JOB_NAMES.restoreDrill, t.restoreDrillMaxAgeHours),
            "30m",
            "No successful restore drill for {{ $value | humanizeDuration }}",
            `The physical restore drill in {{ $labels.namespace }} has not succeeded for more than ${t.restoreDrillMaxAgeHours} h (BAK-8: restore tested weekly).`,
          ),
        ]
      : []),
  ];
  return { alerts };
}

/** The backups' panel: the restore drill's recovery time and recovered point's age, as it pushed them. */
export function backupPanels({ namespace, has }: DashboardContext): Panel[] {
  const ns = `namespace="${namespace}"`;
  return [
    ...(has.drill
      ? [
          // The restore drill's results as it pushed them: how long a recovery takes, and how recent the data it recovers.
          {
            title: "Restore drill: recovery time and recovered point's age",
            unit: "s",
            targets: [
              { expr: `max by (cluster) (${DRILL_METRICS.duration}{${ns}})`, legend: "{{cluster}} recovery" },
              { expr: `max by (cluster) (${DRILL_METRICS.recoveryPointAge}{${ns}})`, legend: "{{cluster}} recovered point's age" },
            ],
          },
        ]
      : []),
  ];
}
