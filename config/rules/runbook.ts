/** The runbooks' minimums in production (RUNBOOK-REQUIREMENTS: BAK-1, BAK-8, EDGE-5 with SEC-2). */
import type { Problem } from "../types";
import type { Rule } from "./rule";

/** BAK-1: daily full backups kept 30 days. */
export const BAK1_RETENTION_DAYS = 30;

/**
 * BAK-8: backup completion checked daily, restore tested weekly. An age alert must fire before a
 * second run is missed: within one period plus a day.
 */
export const AGE_ALERT_WINDOWS_HOURS = { backupMaxAgeHours: 48, restoreCheckMaxAgeHours: 48, restoreDrillMaxAgeHours: 8 * 24 } as const;

export const productionBackupMinimums: Rule = {
  name: "production-backup-minimums",
  summary: `In production: base backups kept at least ${BAK1_RETENTION_DAYS} days (BAK-1), and the backup, restore-check and drill age alerts within their runbook windows (BAK-8: ${Object.entries(AGE_ALERT_WINDOWS_HOURS).map(([k, h]) => `${k} <= ${h}`).join(", ")}).`,
  check: (config) => {
    if (config.environment !== "production") return [];
    const problems: Problem[] = [];
    if (config.backups && config.backups.retention.baseBackupDays < BAK1_RETENTION_DAYS) {
      problems.push({ path: ["backups", "retention", "baseBackupDays"], message: `production keeps base backups at least ${BAK1_RETENTION_DAYS} days (BAK-1)` });
    }
    for (const [key, hours] of Object.entries(AGE_ALERT_WINDOWS_HOURS) as [keyof typeof AGE_ALERT_WINDOWS_HOURS, number][]) {
      if (config.monitoring.thresholds[key] > hours) {
        problems.push({ path: ["monitoring", "thresholds", key], message: `production alerts within ${hours} hours (BAK-8: one period plus a day), or a missed run goes unnoticed` });
      }
    }
    return problems;
  },
};

export const maintenanceOrIsolation: Rule = {
  name: "maintenance-or-isolation",
  summary: "edge.maintenance.enabled and edge.isolation.enabled are not both on: isolation admits the allow-list to the services, maintenance answers everyone 503; pick the one the incident needs.",
  check: (config) =>
    config.edge?.maintenance.enabled && config.edge.isolation.enabled
      ? [{ path: ["edge", "isolation", "enabled"], message: "not together with edge.maintenance.enabled: turn one off" }]
      : [],
};
