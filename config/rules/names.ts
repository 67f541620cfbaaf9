/** Names of generated objects that must not collide: a service named like another's or a component's object, the monitoring namespace. */
import type { PlatformConfig, Problem } from "../types";
import type { Rule } from "./rule";

/**
 * Names the stack's components (and the operators they drive) give objects in the stack's namespace,
 * whatever the services are called. test/config/server-cases.test.ts checks the list against every plan.
 */
export const COMPONENT_OBJECT_NAMES = [
  "acme-solver", "allow-dns", "default-deny", "edge", "edge-nginx", "edge-tls",
  "postgres", "postgres-rw", "postgres-ro", "postgres-r", "postgres-app", "postgres-superuser", "postgres-pooler", "postgres-pooler-rw", "postgres-monitoring", "postgres-app-credentials",
  "redis-cache", "redis-queue", "redis-cache-config", "redis-queue-config", "redis-cache-auth", "redis-queue-auth",
  "pushgateway", "uptime", "quota", "container-limits", "app-secrets",
  "backup-gate", "backup-jobs", "backup-scripts", "backup-s3-credentials", "backup-s3-reader-credentials", "backups",
  "logical-backup", "restore-check", "restore-drill", "restore-drill-scratch", "restore-drill-scratch-rw", "restore-drill-scratch-ro", "restore-drill-scratch-r", "restore-drill-scratch-instances", "restore-drill-cluster", "restore-drill-source", "daily",
  "tenant-provisioning", "tenants", "tenant-keys",
  "dashboard-overview", "loki-rules", "mcp-platform",
] as const;

/** The objects a service makes under names of its own: <svc>, and <svc>-blue, -green, -preview when blue-green. */
export function serviceObjectNames(name: string, blueGreen: boolean): string[] {
  return blueGreen ? [name, `${name}-blue`, `${name}-green`, `${name}-preview`] : [name];
}

const RESERVED = new Set<string>(COMPONENT_OBJECT_NAMES);

export const generatedNames: Rule = {
  name: "generated-names",
  summary: "No service is named like an object another service or a component creates (edge, postgres-rw, acme-solver, <svc>-preview, ...): one would overwrite the other.",
  check: (config: PlatformConfig) => {
    const problems: Problem[] = [];
    const owners = new Map<string, string>();
    for (const [name, svc] of Object.entries(config.services)) {
      for (const object of serviceObjectNames(name, !!svc.blueGreen)) if (!owners.has(object)) owners.set(object, name);
    }
    for (const [name, svc] of Object.entries(config.services)) {
      if (RESERVED.has(name)) {
        problems.push({ path: ["services", name], message: `the stack itself creates objects named "${name}": choose another service name` });
        continue;
      }
      for (const object of serviceObjectNames(name, !!svc.blueGreen)) {
        const owner = owners.get(object);
        if (owner && owner !== name) problems.push({ path: ["services", name], message: `"${object}" is also an object of service "${owner}" (its blue-green Deployments and preview Service): rename one` });
        else if (RESERVED.has(object)) problems.push({ path: ["services", name], message: `its object "${object}" has the name of one the stack creates: choose another service name` });
      }
    }
    return problems;
  },
};

export const monitoringNamespace: Rule = {
  name: "monitoring-namespace",
  summary: "monitoring.namespace differs from the stack's namespace: the monitoring stack owns that Namespace object, and the two would be one.",
  check: (config) =>
    config.monitoring.namespace === config.namespace
      ? [{ path: ["monitoring", "namespace"], message: `must differ from the stack's namespace (${config.namespace}): each is a Namespace object of its own` }]
      : [],
};
