/**
 * The worst-case resource demand of a stack's services during a release: every colour that may run
 * at full scale, at its autoscaling maximum, plus the rolling-update surge and a migration Job.
 * The namespace quota must cover it, or a release stalls half-way at 3 a.m. Also the stack's own
 * capacity plan (CAP-4: base plus per-tenant amounts for its tenants, mcp-platform:capacity).
 */
import type { ServiceConfig } from "./schema";
import type { CapacityPlan } from "./capacity-plan";
import { postgresDemand, redisDemand, type PostgresConfig, type RedisConfig } from "./data";
import { podsDemand, sumDemands, type Demand } from "./demand";
import { edgeDemand, type EdgeConfig } from "./edge";
import { backupsDemand, type BackupsConfig } from "./backups";
import { quantity } from "./quantity";
import { activeTenants, tenantsDemand, type TenantConfig } from "./tenants";

export type { Demand } from "./demand";

/** Pods of one service at the worst moment of a release. */
export function worstCasePods(svc: ServiceConfig): number {
  const full = svc.autoscaling?.maxReplicas ?? svc.replicas;
  const surge = typeof svc.maxSurge === "number" ? svc.maxSurge : Math.ceil((full * parseInt(svc.maxSurge, 10)) / 100);
  // Blue-green: a release brings the standby colour to full scale beside the active one.
  const colours = svc.blueGreen ? 2 : 1;
  const migration = svc.migrations ? 1 : 0;
  return full * colours + surge + migration;
}

/** Everything the stack runs at the worst moment of a release: each part's demand, in this order. */
export function totalDemand(config: {
  services: Record<string, ServiceConfig>;
  postgres?: PostgresConfig;
  redis?: RedisConfig;
  edge?: EdgeConfig;
  backups?: BackupsConfig;
  tenants?: Record<string, TenantConfig>;
}): Demand {
  return sumDemands([
    ...Object.values(config.services).map((svc) => podsDemand(worstCasePods(svc), svc.resources)),
    ...postgresDemand(config.postgres),
    ...redisDemand(config.redis),
    ...edgeDemand(config.edge),
    ...backupsDemand(config),
    ...tenantsDemand(config),
  ]);
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
