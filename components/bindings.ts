/**
 * What a service gets when it `uses` a data service: environment variables (credentials by
 * secretKeyRef only; URLs built from them with Kubernetes' $(VAR) expansion), the pods it may reach
 * and on which port, and a value that changes when the credentials are rotated. Pure.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { DataUse, PlatformConfig } from "../config";
import { tenantAppEnv } from "./tenants/public";
import { REDIS_PORT, redisNames } from "./redis/public";
import { POSTGRES_PORT, postgresNames } from "./postgres/public";

export interface Binding {
  env: k8s.types.input.core.v1.EnvVar[];
  podSelector: Record<string, string>;
  port: number;
  /** Changes when the credentials change, so the pods that use them restart. */
  rotation: string;
}

export type Bindings = Partial<Record<DataUse, Binding>>;

const fromSecret = (name: string, secret: string, key: string): k8s.types.input.core.v1.EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

export function dataBindings(config: Pick<PlatformConfig, "postgres" | "redis" | "tenants" | "identity">): Bindings {
  const bindings: Bindings = {};
  const pg = config.postgres;
  if (pg) {
    const names = postgresNames();
    const postgres = (host: string, podSelector: Record<string, string>): Binding => ({
      env: [
        fromSecret("DATABASE_USER", names.credentials, "username"),
        fromSecret("DATABASE_PASSWORD", names.credentials, "password"),
        { name: "DATABASE_HOST", value: host },
        { name: "DATABASE_PORT", value: String(POSTGRES_PORT) },
        { name: "DATABASE_NAME", value: pg.database },
        { name: "DATABASE_URL", value: `postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@${host}:${POSTGRES_PORT}/${pg.database}` },
        // The tenants (TEN-1): their schemas, realms and encryption keys.
        ...tenantAppEnv(config),
      ],
      podSelector,
      port: POSTGRES_PORT,
      rotation: `postgres:${pg.passwordRotation}`,
    });
    bindings.postgres = postgres(names.readWriteService, names.clusterSelector);
    if (pg.pooler) bindings["postgres-pooled"] = postgres(names.pooler, names.poolerSelector);
  }
  for (const role of ["cache", "queue"] as const) {
    if (!config.redis?.[role]) continue;
    const names = redisNames(role);
    const prefix = `REDIS_${role.toUpperCase()}`;
    bindings[`redis-${role}`] = {
      env: [
        fromSecret(`${prefix}_PASSWORD`, names.auth, "password"),
        { name: `${prefix}_URL`, value: `redis://:$(${prefix}_PASSWORD)@${names.service}:${REDIS_PORT}/0` },
      ],
      podSelector: names.selector,
      port: REDIS_PORT,
      rotation: `redis:${config.redis.passwordRotation}`,
    };
  }
  return bindings;
}
