/**
 * Pure rendering of the tenants' Kubernetes objects (TEN-1, TEN-2): the ConfigMap of their SQL
 * (`tenants`, one `<id>.sql` per tenant and `<id>.remove.sql` per tenant being removed: what
 * `npm run plan -- --out DIR` writes as DIR/config/tenants/), a Job per tenant and config change
 * that applies it after the database is ready, the NetworkPolicy of those Jobs, the CloudNativePG
 * managed roles of the tenants, and what the app's services get (schema, realm, key).
 */
import { createHash } from "crypto";
import type * as k8s from "@pulumi/kubernetes";
import { activeTenants, type PlatformConfig, type PostgresConfig, TENANT_JOB_RESOURCES, type TenantConfig, tenantSchemaName } from "../../config";
import { PART_OF } from "../labels";
import { podPolicy, tcpPorts } from "../network";
import { containerResources } from "../resources";
import { RESTRICTED_CONTAINER, restrictedPod } from "../security";
import { renderTenantRemovalSql, renderTenantSql, tenantConfigHash } from "./sql";
import { ownerDatabaseEnv, POSTGRES_PORT, postgresNames } from "../postgres/public";

type EnvVar = k8s.types.input.core.v1.EnvVar;

export const TENANTS_CONFIGMAP = "tenants";
/** The Secret of the tenants' encryption keys: one key per tenant id. */
export const TENANT_KEYS_SECRET = "tenant-keys";
/** The Secret of a tenant's login role (basic-auth: username, password), when it logs in. */
export const tenantRoleSecret = (id: string) => `tenant-${id}-db`;
/** The postgres user of CloudNativePG's operand images. */
const POSTGRES_UID = 26;
export const tenantJobLabels = { "app.kubernetes.io/name": "tenant-provisioning", "app.kubernetes.io/part-of": PART_OF };

/** `TENANT_<ID>_...`: a tenant's environment variable prefix (dashes as underscores). */
export const tenantEnvPrefix = (id: string) => `TENANT_${id.replace(/-/g, "_").toUpperCase()}`;

/** The app's environment for its tenants: their ids, and per tenant its schema, role, realm and encryption key (by secretKeyRef). */
export function tenantAppEnv(config: Pick<PlatformConfig, "tenants" | "identity">): EnvVar[] {
  const active = activeTenants(config.tenants);
  if (active.length === 0) return [];
  return [
    { name: "TENANTS", value: active.map(([id]) => id).join(",") },
    ...active.flatMap(([id]): EnvVar[] => [
      { name: `${tenantEnvPrefix(id)}_SCHEMA`, value: tenantSchemaName(id) },
      ...(config.identity ? [{ name: `${tenantEnvPrefix(id)}_REALM_URL`, value: `${config.identity.url.replace(/\/$/, "")}/realms/${id}` }] : []),
      { name: `${tenantEnvPrefix(id)}_ENCRYPTION_KEY`, valueFrom: { secretKeyRef: { name: TENANT_KEYS_SECRET, key: id } } },
    ]),
  ];
}

/** CloudNativePG managed roles: each tenant's role (absent once removed), and the owner a member of them, bypassing RLS for backups and restores. */
export function tenantManagedRoles(config: Pick<PlatformConfig, "tenants">, pg: PostgresConfig): Record<string, unknown>[] {
  const tenants = Object.entries(config.tenants ?? {});
  if (tenants.length === 0) return [];
  const active = activeTenants(config.tenants);
  return [
    {
      name: pg.owner,
      ensure: "present",
      login: true,
      // pg_dump and the tenant restore read every tenant's rows; the app confines itself with SET ROLE tenant_<id>.
      bypassrls: true,
      inRoles: active.map(([id]) => tenantSchemaName(id)),
      passwordSecret: { name: postgresNames().credentials },
    },
    ...tenants.map(([id, tenant]) => ({
      name: tenantSchemaName(id),
      comment: `mcp-platform tenant ${id}`,
      ensure: tenant.remove ? "absent" : "present",
      login: tenant.database.login,
      ...(tenant.database.login ? { connectionLimit: tenant.database.connectionLimit, passwordSecret: { name: tenantRoleSecret(id) } } : { disablePassword: true }),
      superuser: false,
      createdb: false,
      createrole: false,
      replication: false,
      bypassrls: false,
      inherit: true,
    })),
  ];
}

export interface TenantJob {
  id: string;
  /** provision or remove. */
  action: "provision" | "remove";
  job: k8s.types.input.batch.v1.Job;
}

export interface TenantManifests {
  sql: k8s.types.input.core.v1.ConfigMap;
  jobs: TenantJob[];
  networkPolicy: k8s.types.input.networking.v1.NetworkPolicy;
}

/** The file of a tenant in the ConfigMap: `<id>.sql`, or `<id>.remove.sql` for its removal. */
const fileOf = (id: string, action: TenantJob["action"]) => (action === "remove" ? `${id}.remove.sql` : `${id}.sql`);

export function renderTenants(config: Pick<PlatformConfig, "tenants" | "namespace">, pg: PostgresConfig): TenantManifests {
  const metadata = (name: string, component: string) => ({
    name,
    namespace: config.namespace,
    labels: { ...tenantJobLabels, "app.kubernetes.io/component": component, "app.kubernetes.io/managed-by": "pulumi" },
  });
  const tenants = Object.entries(config.tenants ?? {});
  const files = Object.fromEntries(
    tenants.map(([id, tenant]): [string, string] => (tenant.remove ? [fileOf(id, "remove"), renderTenantRemovalSql(id)] : [fileOf(id, "provision"), renderTenantSql(id, tenant)])),
  );
  const job = (id: string, tenant: TenantConfig): TenantJob => {
    const action = tenant.remove ? "remove" : "provision";
    const file = fileOf(id, action);
    const hash = action === "remove" ? createHash("sha256").update(files[file]).digest("hex").slice(0, 10) : tenantConfigHash(id, tenant);
    // One run per tenant and configuration: a new name (and so a new Job) when its SQL changes.
    const name = `tenant-${id}-${action === "remove" ? "remove-" : ""}${hash}`;
    return {
      id,
      action,
      job: {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: metadata(name, `tenant-${action}`),
        spec: {
          // The tenant's role appears when CloudNativePG reconciles the managed roles: the run is retried until it has.
          backoffLimit: 6,
          activeDeadlineSeconds: 900,
          template: {
            metadata: { labels: { ...tenantJobLabels, "app.kubernetes.io/component": `tenant-${action}`, "mcp-platform.io/tenant": id } },
            spec: {
              automountServiceAccountToken: false,
              restartPolicy: "Never",
              securityContext: restrictedPod(POSTGRES_UID),
              containers: [
                {
                  name: "psql",
                  image: pg.imageName,
                  imagePullPolicy: "IfNotPresent",
                  command: ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-f", `/sql/${file}`],
                  env: ownerDatabaseEnv(pg),
                  resources: containerResources(TENANT_JOB_RESOURCES),
                  securityContext: RESTRICTED_CONTAINER,
                  volumeMounts: [{ name: "sql", mountPath: "/sql", readOnly: true }],
                },
              ],
              volumes: [{ name: "sql", configMap: { name: TENANTS_CONFIGMAP, items: [{ key: file, path: file }] } }],
            },
          },
        },
      },
    };
  };
  return {
    sql: { apiVersion: "v1", kind: "ConfigMap", metadata: metadata(TENANTS_CONFIGMAP, "tenant-provisioning"), data: files },
    jobs: tenants.map(([id, tenant]) => job(id, tenant)),
    networkPolicy: podPolicy(metadata("tenant-provisioning", "tenant-provisioning"), tenantJobLabels, {
      ingress: [],
      egress: [{ to: [{ podSelector: { matchLabels: postgresNames().clusterSelector } }], ports: tcpPorts(POSTGRES_PORT) }],
    }),
  };
}
