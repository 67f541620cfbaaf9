/** Requests within limits for every container the stack configures, and a LimitRange the API server accepts. */
import { quantity } from "../quantity";
import type { Resources } from "../schema";
import type { PlatformConfig, Problem } from "../validate";
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
