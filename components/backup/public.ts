/**
 * The public face of the backup component: its objects' and pods' names, and what it adds to the
 * Postgres cluster (the barman-cloud ObjectStore, plugin settings, schedule and recovery source).
 * Other parts import this file only.
 */
export * from "./names";
export { clusterBackupSpec, objectStore, restoreSource, scheduledBackup } from "./cnpg-render";
export { backupPanels, backupRules, DRILL_METRICS } from "./monitoring";
