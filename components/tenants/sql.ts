/**
 * Pure rendering of a tenant's database provisioning (TEN-1) and removal (TEN-2) as SQL for psql:
 * a schema and a role per tenant in the app database, row-level security (enabled and forced) that
 * confines every non-bypassing role to the tenant's rows, baseline data, an audit record, and the
 * verification queries last, inside the same transaction: a failed check fails the run and commits
 * nothing. Idempotent: a second run finds everything in place and changes no row.
 */
import { createHash } from "crypto";
import { tenantSchemaName, type TenantConfig } from "../../config";

/** The tables every tenant schema gets, each with a tenant_id column its policy checks. */
export const TENANT_TABLES = {
  tenant_settings: `(
  tenant_id text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
)`,
  audit_log: `(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL DEFAULT current_user,
  action text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'
)`,
} as const;

/** What the tenant's role may do per table: the audit log is append-only. */
const TABLE_GRANTS: Record<keyof typeof TENANT_TABLES, string> = {
  tenant_settings: "SELECT, INSERT, UPDATE, DELETE",
  audit_log: "SELECT, INSERT",
};

export const POLICY_NAME = "tenant_isolation";

/** A SQL string literal. */
export const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The baseline rows of tenant_settings: the tenant's id and name, then its configured settings. */
export function baselineSettings(id: string, tenant: TenantConfig): [string, string][] {
  return [["tenant.id", id], ["tenant.display_name", tenant.displayName ?? id], ...Object.entries(tenant.settings).sort(([a], [b]) => a.localeCompare(b))];
}

/** The verification (schema present, RLS enabled and forced with a policy on every table, role confined): raises on the first failure. */
export function tenantVerificationSql(id: string): string {
  const schema = tenantSchemaName(id);
  const role = schema;
  const s = literal(schema);
  return `-- Verification of tenant ${id} (TEN-1): raises, failing the run, unless the tenant is isolated.
DO $verify$
DECLARE
  bad text;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = ${s}) THEN
    RAISE EXCEPTION 'verification failed: schema ${schema} is missing';
  END IF;
  SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO bad
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ${s} AND c.relkind IN ('r', 'p') AND NOT (c.relrowsecurity AND c.relforcerowsecurity);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'verification failed: row-level security is not enabled and forced on ${schema}.{%}', bad;
  END IF;
  SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO bad
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ${s} AND c.relkind IN ('r', 'p') AND NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'verification failed: no row-level security policy on ${schema}.{%}: every row would be hidden or, for a bypassing role, open', bad;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(role)}) THEN
    RAISE EXCEPTION 'verification failed: role ${role} is missing';
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(role)} AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)) THEN
    RAISE EXCEPTION 'verification failed: role ${role} has superuser, bypassrls, createrole, createdb or replication: it is not confined';
  END IF;
  SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ' ORDER BY n.nspname, c.relname) INTO bad
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname <> ${s} AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
     AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND has_table_privilege(${literal(role)}, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE');
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'verification failed: role ${role} reaches tables outside its schema: %', bad;
  END IF;
  SELECT string_agg(n.nspname, ', ' ORDER BY n.nspname) INTO bad
    FROM pg_namespace n
   WHERE n.nspname <> ${s} AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
     AND (has_schema_privilege(${literal(role)}, n.oid, 'CREATE') OR (n.nspname LIKE 'tenant\\_%' AND has_schema_privilege(${literal(role)}, n.oid, 'USAGE')));
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'verification failed: role ${role} may use or create in other schemas: %', bad;
  END IF;
  SELECT string_agg(r.rolname, ', ' ORDER BY r.rolname) INTO bad
    FROM pg_roles r
   WHERE r.rolname <> ${literal(role)} AND r.rolname LIKE 'tenant\\_%' AND pg_has_role(${literal(role)}, r.oid, 'USAGE');
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'verification failed: role ${role} is a member of other tenants'' roles: %', bad;
  END IF;
  RAISE NOTICE 'tenant ${id} verified: schema ${schema}, row-level security enabled and forced, role ${role} confined';
END
$verify$;
`;
}

/** The provisioning without its header: what the config hash covers. */
function provisioningBody(id: string, tenant: TenantConfig): string {
  const schema = tenantSchemaName(id);
  const role = schema;
  const t = literal(id);
  const login = tenant.database.login ? `LOGIN CONNECTION LIMIT ${tenant.database.connectionLimit}` : "NOLOGIN";
  const tables = Object.entries(TENANT_TABLES)
    .map(([table, definition]) => {
      const qualified = `${schema}.${table}`;
      return `CREATE TABLE IF NOT EXISTS ${qualified} ${definition.replace("tenant_id text NOT NULL", `tenant_id text NOT NULL DEFAULT ${t}`)};
DO $rls$
BEGIN
  IF NOT (SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = ${literal(qualified)}::regclass) THEN
    ALTER TABLE ${qualified} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ${qualified} FORCE ROW LEVEL SECURITY;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_policy WHERE polrelid = ${literal(qualified)}::regclass AND polname = ${literal(POLICY_NAME)}) THEN
    CREATE POLICY ${POLICY_NAME} ON ${qualified} USING (tenant_id = ${t}) WITH CHECK (tenant_id = ${t});
  END IF;
END
$rls$;
REVOKE ALL ON ${qualified} FROM PUBLIC;
GRANT ${TABLE_GRANTS[table as keyof typeof TENANT_TABLES]} ON ${qualified} TO ${role};`;
    })
    .join("\n");
  const rows = baselineSettings(id, tenant)
    .map(([key, value]) => `  (${t}, ${literal(key)}, ${literal(value)})`)
    .join(",\n");
  return `-- The tenant's role: created here when the connected role may (a superuser, in tests); in a cluster
-- CloudNativePG creates it from the Cluster's managed roles, with its password when it logs in.
DO $role$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(role)}) THEN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
      RAISE EXCEPTION 'role ${role} does not exist yet: CloudNativePG creates it from the Cluster''s managed roles; run again once it has';
    END IF;
    CREATE ROLE ${role} ${login} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${role}', current_database());
END
$role$;

CREATE SCHEMA IF NOT EXISTS ${schema};
REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC;
GRANT USAGE ON SCHEMA ${schema} TO ${role};

-- Tables, each with row-level security (enabled and forced, so the tables' owner is bound too unless
-- it bypasses RLS) and a policy that confines every role to this tenant's rows.
${tables}

-- Baseline data: written once, and only rewritten when the configuration changes a value.
INSERT INTO ${schema}.tenant_settings (tenant_id, key, value) VALUES
${rows}
ON CONFLICT (tenant_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
  WHERE ${schema}.tenant_settings.value IS DISTINCT FROM EXCLUDED.value;
`;
}

/** A short digest of the tenant's provisioning: in the Job's name (one run per config change) and the audit record. */
export function tenantConfigHash(id: string, tenant: TenantConfig): string {
  return createHash("sha256").update(provisioningBody(id, tenant)).digest("hex").slice(0, 10);
}

/** The whole provisioning file of a tenant (plan --out writes it as config/tenants/<id>.sql). */
export function renderTenantSql(id: string, tenant: TenantConfig): string {
  const hash = tenantConfigHash(id, tenant);
  const schema = tenantSchemaName(id);
  return `-- Tenant ${id}: schema, role, row-level security, baseline data, verification (TEN-1).
-- Generated by mcp-platform (config ${hash}); idempotent: run it with
--   psql -X -v ON_ERROR_STOP=1 -f ${id}.sql (its own transaction; as the Job runs it)
\\set ON_ERROR_STOP on
BEGIN;
SET LOCAL lock_timeout = '10s';

${provisioningBody(id, tenant)}
-- Audit: one record per configuration the tenant was provisioned with.
INSERT INTO ${schema}.audit_log (tenant_id, action, detail)
SELECT ${literal(id)}, 'provisioned', '{"config": "${hash}"}'
 WHERE NOT EXISTS (SELECT FROM ${schema}.audit_log WHERE action = 'provisioned' AND detail ->> 'config' = '${hash}');

${tenantVerificationSql(id)}
COMMIT;
`;
}

/** Removal of a tenant (TEN-2), after its verified final backup: drops its schema and, where the connected role may, its role. Idempotent. */
export function renderTenantRemovalSql(id: string): string {
  const schema = tenantSchemaName(id);
  const role = schema;
  return `-- Removal of tenant ${id} (TEN-2): its schema and everything in it, then its role. Only rendered once
-- mcp-platform:tenantArchives.${id} records a verified final backup. Idempotent.
\\set ON_ERROR_STOP on
BEGIN;
SET LOCAL lock_timeout = '10s';
DROP SCHEMA IF EXISTS ${schema} CASCADE;
DO $role$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(role)}) THEN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM ${role}', current_database());
    -- In a cluster CloudNativePG drops the role (managed role, ensure: absent).
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
      DROP ROLE ${role};
    END IF;
  END IF;
  IF EXISTS (SELECT FROM pg_namespace WHERE nspname = ${literal(schema)}) THEN
    RAISE EXCEPTION 'verification failed: schema ${schema} is still there';
  END IF;
  RAISE NOTICE 'tenant ${id} removed: schema ${schema} dropped';
END
$role$;
COMMIT;
`;
}
