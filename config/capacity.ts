/**
 * The worst-case resource demand of a stack's services during a release: every colour that may run
 * at full scale, at its autoscaling maximum, plus the rolling-update surge and a migration Job.
 * The namespace quota must cover it, or a release stalls half-way at 3 a.m.
 */
import type { Resources, ServiceConfig } from "./schema";
import type { PostgresConfig, RedisConfig } from "./data";
import type { EdgeConfig } from "./edge";
import type { BackupsConfig } from "./backups";
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

/** Fixed resources of containers the stack adds without a setting of their own. */
export const POOLER_RESOURCES: Resources = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
export const REDIS_EXPORTER_RESOURCES: Resources = { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } };
export const NGINX_EXPORTER_RESOURCES: Resources = { requests: { cpu: "20m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } };

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
  }
  const total: Demand = { pods: 0, cpuRequests: 0, memoryRequests: 0, cpuLimits: 0, memoryLimits: 0 };
  for (const part of parts) for (const key of Object.keys(total) as (keyof Demand)[]) total[key] += part[key];
  return total;
}
