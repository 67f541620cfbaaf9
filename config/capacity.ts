/**
 * The worst-case resource demand of a stack's services during a release: every colour that may run
 * at full scale, at its autoscaling maximum, plus the rolling-update surge and a migration Job.
 * The namespace quota must cover it, or a release stalls half-way at 3 a.m.
 */
import type { ServiceConfig } from "./schema";
import { quantity } from "./quantity";

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

export function serviceDemand(svc: ServiceConfig): Demand {
  const pods = worstCasePods(svc);
  const { requests, limits } = svc.resources;
  return {
    pods,
    cpuRequests: pods * quantity(requests.cpu),
    memoryRequests: pods * quantity(requests.memory),
    cpuLimits: pods * quantity(limits.cpu),
    memoryLimits: pods * quantity(limits.memory),
  };
}

export function totalDemand(services: Record<string, ServiceConfig>): Demand {
  const total: Demand = { pods: 0, cpuRequests: 0, memoryRequests: 0, cpuLimits: 0, memoryLimits: 0 };
  for (const svc of Object.values(services)) {
    const d = serviceDemand(svc);
    for (const key of Object.keys(total) as (keyof Demand)[]) total[key] += d[key];
  }
  return total;
}
