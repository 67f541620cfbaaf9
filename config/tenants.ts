/**
 * Tenants by configuration (TEN-1, TEN-2, BAK-5): mcp-platform:tenants, a map of tenant id to its
 * settings (quota figures of the capacity plan, identity realm, database role, baseline data), and
 * mcp-platform:tenantArchives, the verified final backups that allow a tenant's removal.
 */
import { z } from "zod";
import { cpu, DNS_LABEL, memory, optionalText } from "./primitives";
import { podsDemand, type Demand } from "./demand";
import type { Resources } from "./primitives";

/** Longest tenant id: `tenant_<id>` (schema and role) stays within PostgreSQL's 63 bytes, `tenant-<id>-remove-<10 hex>` within a Job name (63). */
export const MAX_TENANT_ID = 38;

export const tenantId = z
  .string()
  .max(MAX_TENANT_ID)
  .regex(DNS_LABEL, "a tenant id: a lowercase DNS label (a-z, 0-9, '-'; starting with a letter)");

/** Realm roles every tenant's realm gets unless it lists its own (RBAC). */
export const DEFAULT_REALM_ROLES = ["tenant-admin", "tenant-operator", "tenant-viewer"];

const settingKey = z.string().regex(/^[a-z][a-z0-9_.-]{0,62}$/, "a setting name (a-z, 0-9, '_', '.', '-'; starting with a letter)");

export const TenantSchema = z
  .strictObject({
    displayName: optionalText(z.string().max(200)).describe("The tenant's name as people read it (the realm's display name). Default: the id."),
    quota: z
      .strictObject({
        cpu: cpu.optional().describe("CPU requests this tenant adds to the capacity plan. Default: capacity.perTenant.cpu."),
        memory: memory.optional().describe("Memory requests this tenant adds. Default: capacity.perTenant.memory."),
        database: memory.optional().describe("Database storage this tenant adds. Default: capacity.perTenant.database."),
      })
      .prefault({})
      .describe("The tenant's figures in the capacity plan (CAP-4)."),
    realm: z
      .strictObject({
        roles: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "a role name (a-z, 0-9, '-')")).min(1).default(DEFAULT_REALM_ROLES).describe("Realm roles (RBAC) the app checks."),
        accessTokenLifespanSeconds: z.int().min(60).max(86400).default(300).describe("Lifetime of an access token the realm issues."),
        ssoSessionIdleSeconds: z.int().min(300).default(1800).describe("An idle SSO session ends after this many seconds."),
      })
      .prefault({})
      .describe("The tenant's Keycloak realm (mcp-platform:identity configures the provider)."),
    database: z
      .strictObject({
        login: z
          .boolean()
          .default(false)
          .describe("Whether the tenant's role may log in, with a generated password in the Secret tenant-<id>-db. Default: NOLOGIN (the app works in the tenant's schema as the owner, under the same row-level security)."),
        connectionLimit: z.int().min(1).max(1000).default(20).describe("Connections the tenant's role may hold at once (a login role)."),
      })
      .prefault({})
      .describe("The tenant's PostgreSQL role."),
    settings: z
      .record(settingKey, z.string().max(1000))
      .default({})
      .describe("Baseline data: rows of the tenant's tenant_settings table, written on onboarding and kept in step with this map (keys not listed are left alone)."),
    remove: z
      .boolean()
      .default(false)
      .describe(
        "TEN-2: take the tenant out. Refused until mcp-platform:tenantArchives.<id> records its verified final backup (the tenant-backups CronJob, or backup/tenant-backup.sh, prints the record); then a Job drops its schema, CloudNativePG its role; its realm stays disabled and its encryption key is kept (the final backup may need it).",
      ),
  })
  .describe("One tenant.");

export const TenantsSchema = z
  .record(tenantId, TenantSchema)
  .optional()
  .describe(
    "Tenants of the stack by id (TEN-1): each gets a schema and a role in the app database with row-level security, baseline data, a Keycloak realm, an encryption key and its own alert; the capacity plan counts them (CAP-4). Adding an entry onboards the tenant on pulumi up; remove: true takes it out (TEN-2).",
  );

export const TenantArchiveSchema = z
  .strictObject({
    backup: z
      .string()
      .regex(/^s3:\/\/[a-z0-9.-]+\/.+\.dump$/, "the final backup as s3://<bucket>/<key>.dump")
      .describe("The tenant's final backup, as backup/tenant-backup.sh printed it."),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "a sha256 digest (64 hex digits)").describe("The dump's sha256, as the script printed it."),
    verifiedAt: z.iso.datetime({ offset: true }).describe("When the script restored the dump into a scratch database and matched its manifest (ISO 8601)."),
  })
  .describe("A tenant's verified final backup.");

export const TenantArchivesSchema = z
  .record(tenantId, TenantArchiveSchema)
  .default({})
  .describe("Verified final backups of tenants being removed (TEN-2), by tenant id: written from the last line of backup/tenant-backup.sh (the tenant-backups CronJob runs it). A tenant's removal needs its record.");

export type TenantConfig = z.output<typeof TenantSchema>;
export type TenantArchive = z.output<typeof TenantArchiveSchema>;

/** The tenant's schema and its role in the app database: `tenant_<id>`, dashes as underscores (ids have no underscores, so this is one to one). */
export function tenantSchemaName(id: string): string {
  return `tenant_${id.replace(/-/g, "_")}`;
}

/** Tenants being onboarded or kept (not being removed), by id. */
export function activeTenants(tenants: Record<string, TenantConfig> | undefined): [string, TenantConfig][] {
  return Object.entries(tenants ?? {}).filter(([, tenant]) => !tenant.remove);
}

/** A tenant's provisioning Job: psql and a small SQL file. */
export const TENANT_JOB_RESOURCES: Resources = { requests: { cpu: "50m", memory: "64Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "500m", memory: "128Mi", ephemeralStorage: "64Mi" } };

/** Each tenant's provisioning Job, all at once when many tenants change. */
export function tenantsDemand(config: { tenants?: Record<string, TenantConfig>; postgres?: unknown }): Demand[] {
  const jobs = Object.keys(config.tenants ?? {}).length;
  return jobs && config.postgres ? [podsDemand(jobs, TENANT_JOB_RESOURCES)] : [];
}
