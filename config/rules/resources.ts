/** Requests within limits for every container the stack configures, and a LimitRange the API server accepts. */
import { quantity } from "../quantity";
import type { Resources } from "../schema";
import type { PlatformConfig, Problem } from "../types";
import type { Rule } from "./rule";

const KINDS = ["cpu", "memory", "ephemeralStorage"] as const;

/** Every configurable container's resources with its key path: services, data services, edge, backup jobs, Prometheus. */
export function configuredContainers(config: PlatformConfig): { path: string[]; resources: Resources }[] {
  const found: { path: string[]; resources: Resources }[] = Object.entries(config.services).map(([name, svc]) => ({ path: ["services", name, "resources"], resources: svc.resources }));
  if (config.postgres) found.push({ path: ["postgres", "resources"], resources: config.postgres.resources });
  for (const role of ["cache", "queue"] as const) {
    const settings = config.redis?.[role];
    if (settings) found.push({ path: ["redis", role, "resources"], resources: settings.resources });
  }
  if (config.edge) found.push({ path: ["edge", "resources"], resources: config.edge.resources });
  if (config.backups) found.push({ path: ["backups", "jobs", "resources"], resources: config.backups.jobs.resources });
  if (config.monitoring.stack.install) found.push({ path: ["monitoring", "stack", "resources"], resources: config.monitoring.stack.resources });
  return found;
}

export const requestsWithinLimits: Rule = {
  name: "requests-within-limits",
  summary: "Every container's requests (services, Postgres, Redis, edge, backup jobs, Prometheus) are at most its limits: the API server refuses a pod whose request exceeds its limit.",
  check: (config) =>
    configuredContainers(config).flatMap(({ path, resources }) =>
      KINDS.filter((kind) => quantity(resources.requests[kind]) > quantity(resources.limits[kind])).map((kind) => ({
        path: [...path, "requests", kind],
        message: `must not exceed ${path.at(-1)}.limits.${kind} (${resources.limits[kind]})`,
      })),
    ),
};

export const limitRangeOrder: Rule = {
  name: "limit-range-order",
  summary: "containerLimits: defaultRequest <= default <= max for each resource, as the API server validates a LimitRange.",
  check: ({ containerLimits: { defaultRequest, default: limits, max } }) => {
    const problems: Problem[] = [];
    for (const kind of KINDS) {
      if (quantity(limits[kind]) > quantity(max[kind])) {
        problems.push({ path: ["containerLimits", "default", kind], message: `must not exceed containerLimits.max.${kind} (${max[kind]})` });
      }
      if (quantity(defaultRequest[kind]) > quantity(limits[kind])) {
        problems.push({ path: ["containerLimits", "defaultRequest", kind], message: `must not exceed containerLimits.default.${kind} (${limits[kind]})` });
      }
    }
    return problems;
  },
};

/** Redis sizes as redis.conf reads them (kb, mb, gb: powers of 1024). */
const REDIS_UNITS: Record<string, number> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export const redisMaxmemory: Rule = {
  name: "redis-maxmemory",
  summary: "redis.*.maxmemory is above 0 (0 means no limit to Redis) and at most the container's memory limit (or the kernel kills Redis before it evicts or refuses writes).",
  check: (config) =>
    (["cache", "queue"] as const).flatMap((role) => {
      const settings = config.redis?.[role];
      if (!settings) return [];
      const [, n, unit] = /^(\d+)(kb|mb|gb)$/.exec(settings.maxmemory)!;
      const bytes = Number(n) * REDIS_UNITS[unit];
      const limit = settings.resources.limits.memory;
      if (bytes === 0) return [{ path: ["redis", role, "maxmemory"], message: "must be above 0 (0 removes the ceiling)" }];
      if (bytes > quantity(limit)) return [{ path: ["redis", role, "maxmemory"], message: `must not exceed redis.${role}.resources.limits.memory (${limit})` }];
      return [];
    }),
};

export const limitsWithinMax: Rule = {
  name: "limits-within-max",
  summary: "The CPU and memory limits of the services, Postgres, Redis, the edge and the backup jobs are at most containerLimits.max: the namespace's LimitRange refuses a container above it.",
  check: (config) => {
    const { max } = config.containerLimits;
    return configuredContainers(config)
      .filter(({ path }) => path[0] !== "monitoring")
      .flatMap(({ path, resources }) =>
        (["cpu", "memory"] as const)
          .filter((kind) => quantity(resources.limits[kind]) > quantity(max[kind]))
          .map((kind) => ({ path: [...path, "limits", kind], message: `above containerLimits.max.${kind} (${max[kind]})` })),
      );
  },
};

/**
 * Node-local disk: a pod's emptyDirs count against the sum of its containers' ephemeral-storage
 * limits, past which the kubelet evicts it; so what a pod's emptyDirs may hold must fit the limit.
 */
export const ephemeralStorageHolds: Rule = {
  name: "ephemeral-storage-holds",
  summary: "A service's ephemeral-storage limit holds /tmp and its writable paths (writableSize each), the backup jobs' holds their scratchSize, and both are at most containerLimits.max: the kubelet evicts a pod past it.",
  check: (config) => {
    const problems: Problem[] = [];
    const max = quantity(config.containerLimits.max.ephemeralStorage);
    const aboveMax = `above containerLimits.max.ephemeralStorage (${config.containerLimits.max.ephemeralStorage})`;
    for (const [name, svc] of Object.entries(config.services)) {
      const path = ["services", name, "resources", "limits", "ephemeralStorage"];
      const dirs = 1 + svc.writablePaths.length;
      const limit = svc.resources.limits.ephemeralStorage;
      if (dirs * quantity(svc.writableSize) > quantity(limit)) {
        problems.push({ path, message: `below what /tmp and the writable paths may hold (${dirs} x writableSize ${svc.writableSize}): the kubelet would evict the pod first; raise it or lower writableSize` });
      }
      if (quantity(limit) > max) problems.push({ path, message: aboveMax });
    }
    const jobs = config.backups?.jobs;
    if (jobs) {
      const path = ["backups", "jobs", "resources", "limits", "ephemeralStorage"];
      if (quantity(jobs.scratchSize) > quantity(jobs.resources.limits.ephemeralStorage)) {
        problems.push({ path, message: `below jobs.scratchSize (${jobs.scratchSize}), the emptyDir the jobs work in: the kubelet would evict them mid-backup; raise it` });
      }
      if (quantity(jobs.resources.limits.ephemeralStorage) > max) problems.push({ path, message: aboveMax });
    }
    return problems;
  },
};
