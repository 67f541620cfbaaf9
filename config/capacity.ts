/**
 * The worst-case resource demand of a stack's services during a release: every colour that may run
 * at full scale, at its autoscaling maximum, plus the rolling-update surge and a migration Job.
 * The namespace quota must cover it, or a release stalls half-way at 3 a.m. Also the stack's own
 * capacity plan (CAP-4: base plus per-tenant amounts for its tenants, mcp-platform:capacity).
 */
import type { Resources, ServiceConfig } from "./schema";
import type { CapacityPlan } from "./capacity-plan";
import type { PostgresConfig, RedisConfig } from "./data";
import type { EdgeConfig } from "./edge";
import type { BackupsConfig } from "./backups";
import { quantity } from "./quantity";
import { activeTenants, type TenantConfig } from "./tenants";

export interface Demand {
  pods: number;
  cpuRequests: number;
  memoryRequests: number;
  cpuLimits: number;
  memoryLimits: number;
}

/** Pods of one service at the worst moment of a release. */
export function worstCasePods(svc: ServiceConfig): number {
  const full = svc.autoscaling?.maxReplicas ?? svc.replicas;
  const surge = typeof svc.maxSurge === "number" ? svc.maxSurge : Math.ceil((full * parseInt(svc.maxSurge, 10)) / 100);
  // Blue-green: a release brings the standby colour to full scale beside the active one.
  const colours = svc.blueGreen ? 2 : 1;
  const migration = svc.migrations ? 1 : 0;
  return full * colours + surge + migration;
}

/** Fixed resources of containers the stack adds without a setting of their own. */
export const POOLER_RESOURCES: Resources = { requests: { cpu: "100m", memory: "64Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "500m", memory: "256Mi", ephemeralStorage: "128Mi" } };
export const REDIS_EXPORTER_RESOURCES: Resources = { requests: { cpu: "50m", memory: "32Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "200m", memory: "64Mi", ephemeralStorage: "128Mi" } };
export const NGINX_EXPORTER_RESOURCES: Resources = { requests: { cpu: "20m", memory: "16Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "100m", memory: "32Mi", ephemeralStorage: "128Mi" } };
export const PUSHGATEWAY_RESOURCES: Resources = { requests: { cpu: "10m", memory: "32Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "100m", memory: "64Mi", ephemeralStorage: "128Mi" } };
/** A tenant's provisioning Job: psql and a small SQL file. */
export const TENANT_JOB_RESOURCES: Resources = { requests: { cpu: "50m", memory: "64Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "500m", memory: "128Mi", ephemeralStorage: "64Mi" } };
/** The Job that waits for a pre-release backup: a poll loop. */
export const BACKUP_GATE_RESOURCES: Resources = { requests: { cpu: "10m", memory: "32Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "100m", memory: "64Mi", ephemeralStorage: "128Mi" } };

function podsDemand(pods: number, { requests, limits }: Resources): Demand {
  return {
    pods,
    cpuRequests: pods * quantity(requests.cpu),
    memoryRequests: pods * quantity(requests.memory),
    cpuLimits: pods * quantity(limits.cpu),
    memoryLimits: pods * quantity(limits.memory),
  };
}

/** Everything the stack runs at the worst moment of a release. */
export function totalDemand(config: {
  services: Record<string, ServiceConfig>;
  postgres?: PostgresConfig;
  redis?: RedisConfig;
  edge?: EdgeConfig;
  backups?: BackupsConfig;
  tenants?: Record<string, TenantConfig>;
}): Demand {
  const parts = Object.values(config.services).map((svc) => podsDemand(worstCasePods(svc), svc.resources));
  if (config.postgres) {
    parts.push(podsDemand(config.postgres.instances, config.postgres.resources));
    if (config.postgres.pooler) parts.push(podsDemand(config.postgres.pooler.instances, POOLER_RESOURCES));
  }
  for (const role of [config.redis?.cache, config.redis?.queue]) {
    if (role) parts.push(podsDemand(1, role.resources), { ...podsDemand(1, REDIS_EXPORTER_RESOURCES), pods: 0 });
  }
  if (config.edge) {
    // A rolling restart of the edge surges one pod.
    const pods = config.edge.replicas + 1;
    parts.push(podsDemand(pods, config.edge.resources), { ...podsDemand(pods, NGINX_EXPORTER_RESOURCES), pods: 0 });
  }
  if (config.backups) {
    // The logical backup, the restore check (two containers: the check and its scratch server) and
    // each volume backup may all run at once.
    const jobs = config.backups.jobs.resources;
    parts.push(podsDemand(2 + config.backups.volumes.length, jobs), { ...podsDemand(1, jobs), pods: 0 });
    // The restore drill's Job, its scratch instance (the live cluster's twin) and the Pushgateway it reports to.
    if (config.backups.drill.enabled && config.postgres) {
      parts.push(podsDemand(1, jobs), podsDemand(1, config.postgres.resources), podsDemand(1, PUSHGATEWAY_RESOURCES));
    }
    // The tenants' backups (one pod: the tool and its scratch server), at the logical backup's hour.
    if (Object.keys(config.tenants ?? {}).length) parts.push(podsDemand(1, jobs), { ...podsDemand(1, jobs), pods: 0 });
    // A release of every service at once waits on one backup gate each.
    if (config.backups.preReleaseBackup) parts.push(podsDemand(Object.keys(config.services).length, BACKUP_GATE_RESOURCES));
  }
  // Each tenant's provisioning Job, all at once when many tenants change.
  const tenantJobs = Object.keys(config.tenants ?? {}).length;
  if (tenantJobs && config.postgres) parts.push(podsDemand(tenantJobs, TENANT_JOB_RESOURCES));
  const total: Demand = { pods: 0, cpuRequests: 0, memoryRequests: 0, cpuLimits: 0, memoryLimits: 0 };
  for (const part of parts) for (const key of Object.keys(total) as (keyof Demand)[]) total[key] += part[key];
  return total;
}

/** One planned tenant's figures: CPU in cores, memory and database in bytes. */
export interface TenantFigures {
  id: string;
  cpu: number;
  memory: number;
  database: number;
}

/**
 * The tenants the plan counts (CAP-4), each with its figures: those of mcp-platform:tenants that are
 * not being removed (each tenant's quota, else capacity.perTenant), or else capacity.tenants.
 */
export function plannedTenants(plan: CapacityPlan, tenants?: Record<string, TenantConfig>): TenantFigures[] {
  const per = plan.perTenant;
  if (tenants) {
    return activeTenants(tenants).map(([id, t]) => ({
      id,
      cpu: quantity(t.quota.cpu ?? per.cpu),
      memory: quantity(t.quota.memory ?? per.memory),
      database: quantity(t.quota.database ?? per.database),
    }));
  }
  return (plan.tenants ?? []).map((id) => ({ id, cpu: quantity(per.cpu), memory: quantity(per.memory), database: quantity(per.database) }));
}

/** The plan's totals for its tenants: CPU in cores, memory and database in bytes. */
export function capacityBudget(plan: CapacityPlan, tenants: TenantFigures[]): { cpu: number; memory: number; database: number } {
  const sum = (key: "cpu" | "memory" | "database") => quantity(plan.base[key]) + tenants.reduce((total, t) => total + t[key], 0);
  return { cpu: sum("cpu"), memory: sum("memory"), database: sum("database") };
}

/**
 * The plan as the capacity policies read it from the Namespace's annotation (CAPACITY_PLAN_ANNOTATION):
 * in their config's keys. Tenants with figures of their own count by their mean, rounded up (millicores, bytes).
 */
export function capacityPlanAnnotation(plan: CapacityPlan, tenants: TenantFigures[]): string {
  const mean = (key: "cpu" | "memory" | "database", text: string) => {
    const uniform = tenants.every((t) => Math.abs(t[key] - quantity(text)) < 1e-9);
    if (uniform) return text;
    const average = tenants.reduce((total, t) => total + t[key], 0) / tenants.length;
    return key === "cpu" ? `${Math.ceil(average * 1000 - 1e-6)}m` : String(Math.ceil(average - 1e-6));
  };
  return JSON.stringify({
    tenants: tenants.length,
    baseCpu: plan.base.cpu,
    perTenantCpu: mean("cpu", plan.perTenant.cpu),
    baseMemory: plan.base.memory,
    perTenantMemory: mean("memory", plan.perTenant.memory),
    baseDatabase: plan.base.database,
    perTenantDatabase: mean("database", plan.perTenant.database),
    ...(plan.backupStorage ? { backupStorage: plan.backupStorage } : {}),
  });
}
